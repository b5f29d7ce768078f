// Host objects: Swift objects as userdata with a protected metatable.
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

// ---------------------------------------------------------------------------------------------
// Host objects

static int folio_object_gc(lua_State *L) {
  void **box = (void **)lua_touserdata(L, 1);
  if (box != NULL && *box != NULL) {
    void *object = *box;
    *box = NULL;  // released exactly once, even if __gc were called again
    FolioVMState *s = folio_state(L);
    s->live_objects--;
    s->host_depth++;  // Swift runs the release: no allocation may be refused meanwhile
    folio_host_release(object);
    s->host_depth--;
  }
  return 0;
}

// __index: the methods table (upvalue 1) first, then the property getter (upvalue 2).
static int folio_object_index(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  if (lua_isnil(L, lua_upvalueindex(2))) return 1;
  void **box = (void **)lua_touserdata(L, 1);
  if (box != NULL && *box == NULL) {
    // Raised here, so that the message blames the Lua line that indexed the object.
    const char *name = luaL_getmetafield(L, 1, "__name") == LUA_TSTRING ? lua_tostring(L, -1) : "object";
    return luaL_error(L, "this %s is closed: it was valid only during the call that received it", name);
  }
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

void **folio_newobject(lua_State *L, void *object, const void *typekey, int nuv) {
  void **box = (void **)lua_newuserdatauv(L, sizeof(void *), nuv);
  *box = object;
  folio_state(L)->live_objects++;
  lua_rawgetp(L, LUA_REGISTRYINDEX, typekey);
  lua_setmetatable(L, -2);
  return box;
}

void *folio_toobject(lua_State *L, int idx, const void *typekey) {
  void **box = (void **)lua_touserdata(L, idx);
  if (box == NULL || lua_type(L, idx) != LUA_TUSERDATA) return NULL;
  if (!lua_getmetatable(L, idx)) return NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, typekey);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? *box : NULL;
}

void folio_closeobject(lua_State *L, int idx, int nuv) {
  idx = lua_absindex(L, idx);
  void **box = (void **)lua_touserdata(L, idx);
  if (box == NULL || lua_type(L, idx) != LUA_TUSERDATA) return;
  if (*box != NULL) {
    void *object = *box;
    *box = NULL;
    FolioVMState *s = folio_state(L);
    s->live_objects--;
    s->host_depth++;
    folio_host_release(object);
    s->host_depth--;
  }
  for (int i = 1; i <= nuv; i++) {
    lua_pushnil(L);
    lua_setiuservalue(L, idx, i);
  }
}

int folio_isclosedobject(lua_State *L, int idx, const void *typekey) {
  void **box = (void **)lua_touserdata(L, idx);
  if (box == NULL || lua_type(L, idx) != LUA_TUSERDATA || *box != NULL) return 0;
  if (!lua_getmetatable(L, idx)) return 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, typekey);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

void folio_newmetatable(lua_State *L, const void *typekey, const char *name) {
  // Stack on entry: methods, getter.
  lua_createtable(L, 0, 8);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__metatable");
  lua_pushcfunction(L, folio_object_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushvalue(L, -3);  // methods
  lua_pushvalue(L, -3);  // getter
  lua_pushcclosure(L, folio_object_index, 2);
  lua_setfield(L, -2, "__index");
  lua_rawsetp(L, LUA_REGISTRYINDEX, typekey);
  lua_pop(L, 2);
}
