// Folio's implementation of Lua's string patterns (Lua 5.4 manual, §6.4.1) for string.find,
// string.match, string.gmatch and string.gsub. It gives the same results as the standard
// library but counts its steps: every 1,024 steps go to folio_charge, so a pattern such as
// string.rep("a", 1e6):find(".-.-.-.-b") stops at the instruction budget, the deadline or
// Ctrl-C instead of running for hours inside one C call (the count hook cannot see C code).
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "CLuaShim.h"

#define MAX_CAPTURES 32  // LUA_MAXCAPTURES
#define MAX_DEPTH 200    // recursion of the matcher ("pattern too complex")
#define CHARGE_EVERY 1024
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)

static const char SPECIALS[] = "^$*+?.([%-";

typedef struct Capture {
  const char *init;
  ptrdiff_t len;
} Capture;

typedef struct Matcher {
  const char *src_init, *src_end, *p_end;
  lua_State *L;
  int depth;     // recursion left
  int level;     // captures open or closed
  unsigned steps;
  Capture capture[MAX_CAPTURES];
} Matcher;

static const char *do_match(Matcher *m, const char *s, const char *p);

static void step(Matcher *m) {
  if (++m->steps == CHARGE_EVERY) {
    m->steps = 0;
    folio_charge(m->L, CHARGE_EVERY);
  }
}

static int class_matches(int c, int cl) {
  int r;
  switch (tolower(cl)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    case 'z': r = c == 0; break;  // deprecated, but Debian's Lua 5.4 still knows it
    default: return cl == c;  // %. %% %( ... stand for the character itself
  }
  r = r != 0;
  return isupper(cl) ? !r : r;
}

// Whether c is in the set p..ec, where p is at '[' and ec at the closing ']'.
static int set_matches(int c, const char *p, const char *ec) {
  int in = 1;
  if (*(p + 1) == '^') {
    in = 0;
    p++;
  }
  while (++p < ec) {
    if (*p == '%') {
      p++;
      if (class_matches(c, (unsigned char)*p)) return in;
    } else if (*(p + 1) == '-' && p + 2 < ec) {
      p += 2;
      if ((unsigned char)*(p - 2) <= c && c <= (unsigned char)*p) return in;
    } else if ((unsigned char)*p == c) {
      return in;
    }
  }
  return !in;
}

// The end of the single-character class at p.
static const char *class_end(Matcher *m, const char *p) {
  char c = *p++;
  if (c == '%') {
    if (p == m->p_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (*p == '^') p++;
    // The first character of a set may be ']' itself.
    do {
      if (p == m->p_end) luaL_error(m->L, "malformed pattern (missing ']')");
      c = *p++;
      if (c == '%' && p < m->p_end) p++;
    } while (*p != ']');
    return p + 1;
  }
  return p;
}

static int single_matches(Matcher *m, const char *s, const char *p, const char *ep) {
  if (s >= m->src_end) return 0;
  int c = (unsigned char)*s;
  switch (*p) {
    case '.': return 1;
    case '%': return class_matches(c, (unsigned char)*(p + 1));
    case '[': return set_matches(c, p, ep - 1);
    default: return (unsigned char)*p == c;
  }
}

static const char *balance(Matcher *m, const char *s, const char *p) {
  if (p + 1 >= m->p_end) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->src_end || *s != *p) return NULL;
  char open = *p, close = *(p + 1);
  int depth = 1;
  while (++s < m->src_end) {
    step(m);
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      depth++;
    }
  }
  return NULL;
}

// As many repetitions as possible, then fewer until the rest matches.
static const char *greedy(Matcher *m, const char *s, const char *p, const char *ep) {
  ptrdiff_t n = 0;
  while (single_matches(m, s + n, p, ep)) {
    n++;
    step(m);
  }
  while (n >= 0) {
    const char *r = do_match(m, s + n, ep + 1);
    if (r) return r;
    n--;
  }
  return NULL;
}

// As few repetitions as possible, then more until the rest matches.
static const char *lazy(Matcher *m, const char *s, const char *p, const char *ep) {
  for (;;) {
    const char *r = do_match(m, s, ep + 1);
    if (r) return r;
    if (!single_matches(m, s, p, ep)) return NULL;
    s++;
    step(m);
  }
}

static const char *open_capture(Matcher *m, const char *s, const char *p, ptrdiff_t what) {
  if (m->level >= MAX_CAPTURES) luaL_error(m->L, "too many captures");
  m->capture[m->level].init = s;
  m->capture[m->level].len = what;
  m->level++;
  const char *r = do_match(m, s, p);
  if (r == NULL) m->level--;
  return r;
}

static const char *close_capture(Matcher *m, const char *s, const char *p) {
  int l = m->level - 1;
  while (l >= 0 && m->capture[l].len != CAP_UNFINISHED) l--;
  if (l < 0) luaL_error(m->L, "invalid pattern capture");
  m->capture[l].len = s - m->capture[l].init;
  const char *r = do_match(m, s, p);
  if (r == NULL) m->capture[l].len = CAP_UNFINISHED;
  return r;
}

static int capture_index(Matcher *m, int c) {
  int l = c - '1';
  if (l < 0 || l >= m->level || m->capture[l].len == CAP_UNFINISHED) {
    return luaL_error(m->L, "invalid capture index %%%d", l + 1);
  }
  return l;
}

static const char *back_reference(Matcher *m, const char *s, int c) {
  int l = capture_index(m, c);
  size_t len = (size_t)m->capture[l].len;
  if ((size_t)(m->src_end - s) >= len && memcmp(m->capture[l].init, s, len) == 0) return s + len;
  return NULL;
}

static const char *do_match(Matcher *m, const char *s, const char *p) {
  if (m->depth-- == 0) luaL_error(m->L, "pattern too complex");
  for (;;) {
    step(m);
    if (p == m->p_end) break;
    if (*p == '(') {
      s = *(p + 1) == ')' ? open_capture(m, s, p + 2, CAP_POSITION)
                          : open_capture(m, s, p + 1, CAP_UNFINISHED);
      break;
    }
    if (*p == ')') {
      s = close_capture(m, s, p + 1);
      break;
    }
    if (*p == '$' && p + 1 == m->p_end) {
      if (s != m->src_end) s = NULL;
      break;
    }
    if (*p == '%' && p + 1 < m->p_end && *(p + 1) == 'b') {
      s = balance(m, s, p + 2);
      if (s == NULL) break;
      p += 4;
      continue;
    }
    if (*p == '%' && p + 1 < m->p_end && *(p + 1) == 'f') {
      p += 2;
      if (p >= m->p_end || *p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
      const char *ep = class_end(m, p);
      int before = s == m->src_init ? '\0' : (unsigned char)*(s - 1);
      int here = s < m->src_end ? (unsigned char)*s : '\0';
      if (!set_matches(before, p, ep - 1) && set_matches(here, p, ep - 1)) {
        p = ep;
        continue;
      }
      s = NULL;
      break;
    }
    if (*p == '%' && p + 1 < m->p_end && isdigit((unsigned char)*(p + 1))) {
      s = back_reference(m, s, (unsigned char)*(p + 1));
      if (s == NULL) break;
      p += 2;
      continue;
    }
    // A single-character class with an optional quantifier.
    const char *ep = class_end(m, p);
    char q = ep < m->p_end ? *ep : '\0';
    if (!single_matches(m, s, p, ep)) {
      if (q == '*' || q == '?' || q == '-') {
        p = ep + 1;
        continue;
      }
      s = NULL;
      break;
    }
    if (q == '?') {
      const char *r = do_match(m, s + 1, ep + 1);
      if (r) {
        s = r;
        break;
      }
      p = ep + 1;
      continue;
    }
    if (q == '+') {
      s = greedy(m, s + 1, p, ep);
      break;
    }
    if (q == '*') {
      s = greedy(m, s, p, ep);
      break;
    }
    if (q == '-') {
      s = lazy(m, s, p, ep);
      break;
    }
    s++;
    p = ep;
  }
  m->depth++;
  return s;
}

static void reset(Matcher *m) {
  m->level = 0;
  m->depth = MAX_DEPTH;
}

static void push_capture(Matcher *m, int i, const char *s, const char *e) {
  if (i >= m->level) {
    if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
    lua_pushlstring(m->L, s, (size_t)(e - s));  // no captures: the whole match
    return;
  }
  ptrdiff_t len = m->capture[i].len;
  if (len == CAP_UNFINISHED) luaL_error(m->L, "unfinished capture");
  if (len == CAP_POSITION) {
    lua_pushinteger(m->L, (lua_Integer)(m->capture[i].init - m->src_init) + 1);
  } else {
    lua_pushlstring(m->L, m->capture[i].init, (size_t)len);
  }
}

// Pushes the captures (or the whole match when there are none and s is given).
static int push_captures(Matcher *m, const char *s, const char *e) {
  int n = (m->level == 0 && s) ? 1 : m->level;
  luaL_checkstack(m->L, n, "too many captures");
  for (int i = 0; i < n; i++) push_capture(m, i, s, e);
  return n;
}

static void prepare(Matcher *m, lua_State *L, const char *s, size_t ls, const char *p,
                    size_t lp) {
  m->L = L;
  m->src_init = s;
  m->src_end = s + ls;
  m->p_end = p + lp;
  m->steps = 0;
  reset(m);
}

// Lua's rule for a start position: negative counts from the end, 0 and too-negative mean 1.
static size_t start_position(lua_Integer pos, size_t len) {
  if (pos > 0) return (size_t)pos;
  if (pos == 0) return 1;
  if (pos < -(lua_Integer)len) return 1;
  return len + (size_t)pos + 1;
}

// glibc's memmem is linear in the subject (two-way for long needles): a long needle cannot
// make a plain find quadratic.
static const char *find_plain(const char *s, size_t ls, const char *p, size_t lp) {
  if (lp == 0) return s;
  return (const char *)memmem(s, ls, p, lp);
}

static int find_or_match(lua_State *L, int find) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = start_position(luaL_optinteger(L, 3, 1), ls);
  if (init > ls + 1) {
    luaL_pushfail(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || strpbrk(p, SPECIALS) == NULL)) {
    // strpbrk stops at a NUL: a pattern with "\0" and specials after it is not plain.
    if (lua_toboolean(L, 4) || memchr(p, '\0', lp) == NULL) {
      const char *hit = find_plain(s + init - 1, ls - init + 1, p, lp);
      if (hit) {
        lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
        lua_pushinteger(L, (lua_Integer)(hit - s) + (lua_Integer)lp);
        return 2;
      }
      luaL_pushfail(L);
      return 1;
    }
  }
  Matcher m;
  int anchor = lp > 0 && *p == '^';
  if (anchor) {
    p++;
    lp--;
  }
  prepare(&m, L, s, ls, p, lp);
  const char *start = s + init - 1;
  do {
    reset(&m);
    const char *e = do_match(&m, start, p);
    if (e != NULL) {
      if (find) {
        lua_pushinteger(L, (lua_Integer)(start - s) + 1);
        lua_pushinteger(L, (lua_Integer)(e - s));
        return push_captures(&m, NULL, NULL) + 2;
      }
      return push_captures(&m, start, e);
    }
  } while (start++ < m.src_end && !anchor);
  luaL_pushfail(L);
  return 1;
}

static int folio_find(lua_State *L) { return find_or_match(L, 1); }
static int folio_match(lua_State *L) { return find_or_match(L, 0); }

// gmatch's iterator: upvalues are the subject, the pattern, the next start and the end of the
// last match (so an empty match right after a match is not returned twice).
static int gmatch_next(lua_State *L) {
  size_t ls, lp;
  const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
  const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
  lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
  lua_Integer last = lua_tointeger(L, lua_upvalueindex(4));
  Matcher m;
  prepare(&m, L, s, ls, p, lp);
  for (const char *src = s + pos; src <= m.src_end; src++) {
    reset(&m);
    const char *e = do_match(&m, src, p);
    if (e != NULL && (last < 0 || e != s + last)) {
      lua_pushinteger(L, (lua_Integer)(e - s));
      lua_copy(L, -1, lua_upvalueindex(3));
      lua_copy(L, -1, lua_upvalueindex(4));
      lua_pop(L, 1);
      return push_captures(&m, src, e);
    }
  }
  return 0;
}

static int folio_gmatch(lua_State *L) {
  size_t ls;
  luaL_checklstring(L, 1, &ls);
  luaL_checkstring(L, 2);
  size_t init = start_position(luaL_optinteger(L, 3, 1), ls);
  if (init > ls + 1) init = ls + 1;
  lua_settop(L, 2);
  lua_pushinteger(L, (lua_Integer)init - 1);
  lua_pushinteger(L, -1);
  lua_pushcclosure(L, gmatch_next, 4);
  return 1;
}

static void add_replacement_string(Matcher *m, luaL_Buffer *b, const char *s, const char *e) {
  size_t l;
  lua_State *L = m->L;
  const char *news = lua_tolstring(L, 3, &l);
  const char *end = news + l;
  const char *p;
  while ((p = memchr(news, '%', (size_t)(end - news))) != NULL) {
    luaL_addlstring(b, news, (size_t)(p - news));
    p++;
    if (p < end && *p == '%') {
      luaL_addchar(b, '%');
    } else if (p < end && *p == '0') {
      luaL_addlstring(b, s, (size_t)(e - s));
    } else if (p < end && isdigit((unsigned char)*p)) {
      push_capture(m, *p - '1', s, e);
      luaL_tolstring(L, -1, NULL);  // a position capture becomes its digits
      lua_remove(L, -2);
      luaL_addvalue(b);
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", '%');
    }
    news = p + 1;
  }
  luaL_addlstring(b, news, (size_t)(end - news));
}

static void add_replacement(Matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
  lua_State *L = m->L;
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    int n = push_captures(m, s, e);
    lua_call(L, n, 1);
  } else if (kind == LUA_TTABLE) {
    push_capture(m, 0, s, e);
    lua_gettable(L, 3);
  } else {
    add_replacement_string(m, b, s, e);
    return;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));  // false or nil: keep the original text
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    luaL_addvalue(b);
  }
}

static int folio_gsub(lua_State *L) {
  size_t ls, lp;
  const char *src = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  int kind = lua_type(L, 3);
  lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
  luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                          kind == LUA_TTABLE,
                   3, "string/function/table");
  const char *last = NULL;
  lua_Integer n = 0;
  int changed = 0;
  int anchor = lp > 0 && *p == '^';
  if (anchor) {
    p++;
    lp--;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  Matcher m;
  prepare(&m, L, src, ls, p, lp);
  const char *s = src;
  while (n < max) {
    reset(&m);
    const char *e = do_match(&m, s, p);
    if (e != NULL && e != last) {
      n++;
      add_replacement(&m, &b, s, e, kind);
      s = last = e;
      changed = 1;
    } else if (s < m.src_end) {
      luaL_addchar(&b, *s++);
    } else {
      break;
    }
    if (anchor) break;
  }
  if (!changed) {
    lua_pushvalue(L, 1);  // nothing replaced: the subject itself
  } else {
    luaL_addlstring(&b, s, (size_t)(m.src_end - s));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

void folio_guard_patterns(lua_State *L) {
  static const luaL_Reg functions[] = {{"find", folio_find},
                                       {"match", folio_match},
                                       {"gmatch", folio_gmatch},
                                       {"gsub", folio_gsub},
                                       {NULL, NULL}};
  lua_getglobal(L, "string");
  if (lua_type(L, -1) == LUA_TTABLE) luaL_setfuncs(L, functions, 0);
  lua_pop(L, 1);
}
