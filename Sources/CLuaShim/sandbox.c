// The standard libraries a VM opens: full, or the sandbox, with their guards.
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

// ---------------------------------------------------------------------------------------------
// Libraries

// xpcall's message handler runs before the stack unwinds, and when the error came from the
// limits hook Lua runs it with hooks disabled: a handler such as `function() while true do
// end end` would then never be stopped (stock Lua 5.4 hangs too). The guarded handler skips the
// user's handler once a limit has tripped, so the limit error goes on unchanged.
static int folio_guarded_handler(lua_State *L) {
  FolioVMState *s = folio_state(L);
  if (s->tripped != FOLIO_TRIP_NONE || folio_interrupted_flag) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int folio_xpcall(lua_State *L) {
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, folio_guarded_handler, 1);
  lua_replace(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));  // the library's xpcall
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static void folio_guard_xpcall(lua_State *L) {
  lua_getglobal(L, "xpcall");
  lua_pushcclosure(L, folio_xpcall, 1);
  lua_setglobal(L, "xpcall");
}

// Coroutines carry the limits hook from birth (the watchdog's signal names only main threads);
// one made after a trip inherits the tripped hook instead.
static void folio_hook_coroutine(lua_State *co) {
  if (lua_gethook(co) == NULL) folio_rest_hook(co);
}

static int folio_cocreate(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = lua_newthread(L);
  folio_hook_coroutine(co);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  return 1;
}

// coroutine.wrap: a hooked coroutine behind Folio's resume (guards.c).
static int folio_cowrap(lua_State *L) {
  folio_cocreate(L);
  lua_pushcclosure(L, folio_guard_auxwrap, 1);
  return 1;
}

static void folio_guard_coroutines(lua_State *L) {
  if (lua_getglobal(L, LUA_COLIBNAME) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushcfunction(L, folio_cocreate);
  lua_setfield(L, -2, "create");
  lua_pushcfunction(L, folio_cowrap);
  lua_setfield(L, -2, "wrap");
  lua_pop(L, 1);
}

static int folio_open_full_k(lua_State *L) {
  luaL_openlibs(L);
  folio_guard_coroutines(L);
  folio_guard_xpcall(L);
  folio_guard_patterns(L);
  folio_guard_library(L, 0);
  return 0;
}

int folio_open_full(lua_State *L) {
  lua_pushcfunction(L, folio_open_full_k);
  return folio_pcall(L, 0, 0);
}

// load(chunk [, chunkname [, mode [, env]]]) with mode forced to "t".
static int folio_sandbox_load(lua_State *L) {
  int n = lua_gettop(L);
  lua_settop(L, n >= 4 ? 4 : 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int folio_sandbox_collectgarbage(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "count");
  if (strcmp(opt, "count") != 0) {
    return luaL_error(L, "collectgarbage('%s') is not allowed in plugins (only 'count')", opt);
  }
  int kb = lua_gc(L, LUA_GCCOUNT, 0);
  int b = lua_gc(L, LUA_GCCOUNTB, 0);
  lua_pushnumber(L, (lua_Number)kb + ((lua_Number)b / 1024));
  return 1;
}

// print(...) for plugins: writes to stderr, so data on stdout stays clean.
static int folio_sandbox_print(lua_State *L) {
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = luaL_tolstring(L, i, &len);
    if (i > 1) fputc('\t', stderr);
    fwrite(s, 1, len, stderr);
    lua_pop(L, 1);
  }
  fputc('\n', stderr);
  fflush(stderr);
  return 0;
}

static int folio_open_sandbox_k(lua_State *L) {
  static const luaL_Reg libs[] = {
      {LUA_GNAME, luaopen_base},       {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine},
      {LUA_OSLIBNAME, luaopen_os},      {NULL, NULL}};
  for (const luaL_Reg *lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  lua_pushglobaltable(L);
  int g = lua_gettop(L);
  static const char *const removed[] = {"dofile", "loadfile", NULL};
  for (const char *const *name = removed; *name; name++) {
    lua_pushnil(L);
    lua_setfield(L, g, *name);
  }
  lua_getfield(L, g, "load");
  lua_pushcclosure(L, folio_sandbox_load, 1);
  lua_setfield(L, g, "load");
  lua_pushcfunction(L, folio_sandbox_collectgarbage);
  lua_setfield(L, g, "collectgarbage");
  lua_pushcfunction(L, folio_sandbox_print);
  lua_setfield(L, g, "print");
  folio_guard_coroutines(L);
  folio_guard_xpcall(L);
  folio_guard_patterns(L);
  folio_guard_library(L, 1);
  // string.dump: binary chunks cannot be loaded anyway, and dumps leak bytecode details.
  lua_getfield(L, g, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  // os: only the clock and calendar functions.
  lua_getfield(L, g, "os");
  int os = lua_gettop(L);
  lua_createtable(L, 0, 4);
  static const char *const kept[] = {"clock", "time", "date", "difftime", NULL};
  for (const char *const *name = kept; *name; name++) {
    lua_getfield(L, os, *name);
    lua_setfield(L, -2, *name);
  }
  lua_setfield(L, g, "os");
  lua_pop(L, 1);
  // The string metatable is shared by every string: hide it.
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return 0;
}

int folio_open_sandbox(lua_State *L) {
  lua_pushcfunction(L, folio_open_sandbox_k);
  return folio_pcall(L, 0, 0);
}
