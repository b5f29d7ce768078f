// libedit (BSD licence), Debian: libedit-dev. Line editing and history for the REPL.
#include <stdio.h>
#include <histedit.h>
#include <editline/readline.h>
