#ifndef DNSD_CNCURSES_SHIM_H
#define DNSD_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Swift cannot import these macros/globals, or Swift 6 rejects them as shared mutable state.
static inline WINDOW *dnsd_stdscr(void) { return stdscr; }
static inline int dnsd_cols(void) { return COLS; }
static inline int dnsd_lines(void) { return LINES; }
static inline int dnsd_colors(void) { return COLORS; }
static inline int dnsd_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int dnsd_a_normal(void) { return (int)A_NORMAL; }
static inline int dnsd_a_bold(void) { return (int)A_BOLD; }
static inline int dnsd_a_reverse(void) { return (int)A_REVERSE; }
static inline int dnsd_a_dim(void) { return (int)A_DIM; }
static inline int dnsd_a_underline(void) { return (int)A_UNDERLINE; }
static inline chtype dnsd_acs_hline(void) { return ACS_HLINE; }
static inline chtype dnsd_acs_vline(void) { return ACS_VLINE; }
static inline int dnsd_key_resize(void) { return KEY_RESIZE; }
// attrset and mvaddstr may be macros; these are functions whatever the curses build.
static inline int dnsd_attrset(int attributes) { return wattrset(stdscr, attributes); }
static inline int dnsd_mvaddstr(int row, int column, const char *text) { return mvwaddstr(stdscr, row, column, text); }
// Wide-character input: OK with a character, KEY_CODE_YES with a function key, ERR on timeout.
static inline int dnsd_get_wch(unsigned int *out) { wint_t ch = 0; int r = wget_wch(stdscr, &ch); *out = (unsigned int)ch; return r; }
static inline int dnsd_key_code_yes(void) { return KEY_CODE_YES; }
// True when the locale's character set is UTF-8 (after setlocale): else draw ASCII.
static inline int dnsd_locale_is_utf8(void) { const char *set = nl_langinfo(CODESET); return set && (set[0] == 'U' || set[0] == 'u') && (set[1] == 'T' || set[1] == 't'); }
#endif
