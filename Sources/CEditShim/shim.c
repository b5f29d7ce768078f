#include "CEditShim.h"

#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include <editline/readline.h>

static folio_complete_fn g_complete;

static char **folio_attempt(const char *text, int start, int end) {
  (void)text;
  rl_attempted_completion_over = 1;
  rl_completion_append_character = '\0';
  if (g_complete == NULL || rl_line_buffer == NULL) return NULL;
  return g_complete(rl_line_buffer, start, end);
}

void folio_edit_setup(const char *name, const char *word_breaks, folio_complete_fn complete) {
  rl_readline_name = name;
  rl_completer_word_break_characters = (char *)word_breaks;
  g_complete = complete;
  rl_attempted_completion_function = folio_attempt;
  rl_catch_signals = 0;
}

char *folio_edit_readline(const char *prompt) {
  // libedit writes the prompt before it turns off canonical mode, so keys pressed as soon as
  // the prompt shows reach the kernel's line discipline: Ctrl-R reprints the line instead of
  // searching, Ctrl-U and Ctrl-W edit the kernel's buffer. Turning canonical mode and echo off
  // first closes that window; libedit only adopts terminal changes made in canonical mode, so
  // it still restores the settings it saved, and so do we.
  struct termios saved;
  int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    struct termios quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
    quiet.c_cc[VMIN] = 1;
    quiet.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  char *line = readline(prompt);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  return line;
}

void folio_edit_add_history(const char *line) { add_history(line); }

void folio_edit_stifle_history(int max) { stifle_history(max); }
