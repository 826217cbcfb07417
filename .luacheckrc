std = "lua54"
unused_args = false
max_line_length = 120
