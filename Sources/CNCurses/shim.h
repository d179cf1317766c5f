#ifndef DNSD_CNCURSES_SHIM_H
#define DNSD_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Swift cannot import these macros/globals, or Swift 6 rejects them as shared mutable state.
static inline WINDOW *dnsd_stdscr(void) { return stdscr; }
static inline int dnsd_cols(void) { return COLS; }
static inline int dnsd_lines(void) { return LINES; }
static inline int dnsd_colors(void) { return COLORS; }
static inline int dnsd_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int dnsd_a_bold(void) { return (int)A_BOLD; }
static inline int dnsd_a_reverse(void) { return (int)A_REVERSE; }
static inline int dnsd_a_dim(void) { return (int)A_DIM; }
static inline chtype dnsd_acs_hline(void) { return ACS_HLINE; }
static inline chtype dnsd_acs_vline(void) { return ACS_VLINE; }
static inline int dnsd_key_resize(void) { return KEY_RESIZE; }
#endif
