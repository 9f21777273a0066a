this is not a .mo file
