"""Countries from the masked address: the block it stands for, the majority rule, the
sources (registry data, an operator's database) and the names of countries."""
