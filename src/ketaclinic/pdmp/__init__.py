"""The PDMP check log: who checked a state's prescription drug monitoring program, and the rules."""
