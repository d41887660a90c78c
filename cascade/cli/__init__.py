"""The `cascade` command line (outside the domain): commands that parse arguments, call the domain and the
flows, and print for a person.
"""
