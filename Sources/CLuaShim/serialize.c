// Plain-data copies between VMs (report states across workers and shards).
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

// ---------------------------------------------------------------------------------------------
// Plain-data copies between VMs (report states across workers and shards)
//
// Format: 'n' nil, 'f'/'t' booleans, 'i' int64, 'd' double, 's' u64 length + bytes,
// '{' u32 array-size hint, u32 hash-size hint, then key/value pairs, then '}'.

enum { FOLIO_MAX_DEPTH = 200 };

typedef struct SerialState {
  FolioBlob *blob;
  int depth;
  // The keys leading to the value being written, for error messages.
  int path[FOLIO_MAX_DEPTH + 1];
} SerialState;

static void blob_put(lua_State *L, FolioBlob *b, const void *p, size_t n) {
  if (b->length + n > b->capacity) {
    size_t cap = b->capacity ? b->capacity : 4096;
    while (cap < b->length + n) cap *= 2;
    unsigned char *d = (unsigned char *)realloc(b->data, cap);
    if (d == NULL) luaL_error(L, "not enough memory to copy the state");
    b->data = d;
    b->capacity = cap;
  }
  memcpy(b->data + b->length, p, n);
  b->length += n;
}

static void blob_byte(lua_State *L, FolioBlob *b, unsigned char c) { blob_put(L, b, &c, 1); }

// Pushes "state[k1][k2]..." for the current path (keys are on the stack at path[i]).
static void serial_where(lua_State *L, SerialState *st) {
  luaL_Buffer buf;
  luaL_buffinit(L, &buf);
  for (int i = 1; i <= st->depth; i++) {
    int k = st->path[i];
    if (lua_type(L, k) == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, k, &len);
      luaL_addstring(&buf, "[\"");
      luaL_addlstring(&buf, s, len > 40 ? 40 : len);
      luaL_addstring(&buf, "\"]");
    } else if (lua_type(L, k) == LUA_TNUMBER) {
      if (lua_isinteger(L, k)) {
        lua_pushfstring(L, "[%I]", (LUAI_UACINT)lua_tointeger(L, k));
      } else {
        lua_pushfstring(L, "[%f]", (LUAI_UACNUMBER)lua_tonumber(L, k));
      }
      luaL_addvalue(&buf);
    } else {
      luaL_addstring(&buf, "[?]");
    }
  }
  luaL_pushresult(&buf);
}

static void serial_value(lua_State *L, SerialState *st, int idx) {
  FolioBlob *b = st->blob;
  idx = lua_absindex(L, idx);  // messages push values: relative indices would move
  switch (lua_type(L, idx)) {
    case LUA_TNIL: blob_byte(L, b, 'n'); break;
    case LUA_TBOOLEAN: blob_byte(L, b, lua_toboolean(L, idx) ? 't' : 'f'); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        blob_byte(L, b, 'i');
        blob_put(L, b, &i, sizeof i);
      } else {
        lua_Number d = lua_tonumber(L, idx);
        blob_byte(L, b, 'd');
        blob_put(L, b, &d, sizeof d);
      }
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      uint64_t n = len;
      blob_byte(L, b, 's');
      blob_put(L, b, &n, sizeof n);
      blob_put(L, b, s, len);
      break;
    }
    case LUA_TTABLE: {
      if (st->depth >= FOLIO_MAX_DEPTH) {
        serial_where(L, st);
        luaL_error(L, "%s: tables nested more than %d deep (a table that contains itself?)",
                   lua_tostring(L, -1), FOLIO_MAX_DEPTH);
      }
      luaL_checkstack(L, 4, "state nested too deep");
      uint32_t narr = (uint32_t)lua_rawlen(L, idx), nhash = 0;
      blob_byte(L, b, '{');
      size_t header = b->length;
      blob_put(L, b, &narr, sizeof narr);
      blob_put(L, b, &nhash, sizeof nhash);
      uint32_t total = 0;
      st->depth++;
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        st->path[st->depth] = lua_gettop(L) - 1;
        serial_value(L, st, -2);
        serial_value(L, st, -1);
        lua_pop(L, 1);
        total++;
      }
      st->depth--;
      blob_byte(L, b, '}');
      nhash = total > narr ? total - narr : 0;
      memcpy(b->data + header + sizeof narr, &nhash, sizeof nhash);
      break;
    }
    case LUA_TLIGHTUSERDATA:
    case LUA_TUSERDATA:
      // A host object may say how it travels: __folio_plain returns plain data (a counter
      // returns its bytes as one string; a token its fields), which the receiving side knows
      // how to merge.
      if (lua_getmetatable(L, idx)) {
        lua_pushliteral(L, "__folio_plain");
        if (lua_rawget(L, -2) == LUA_TFUNCTION) {
          lua_pushvalue(L, idx);
          lua_call(L, 1, 1);
          int plain = lua_gettop(L);
          if (lua_type(L, plain) == LUA_TUSERDATA) luaL_error(L, "__folio_plain returned a userdata");
          serial_value(L, st, plain);
          lua_pop(L, 2);  // the metatable and the plain value
          break;
        }
        lua_pop(L, 2);
      }
      /* fall through */
    default:
      serial_where(L, st);
      luaL_error(L, "%s: a %s (states must be plain data: tables, strings, numbers, booleans)",
                 lua_tostring(L, -1), luaL_typename(L, idx));
  }
}

static int folio_serialize_k(lua_State *L) {
  SerialState *st = (SerialState *)lua_touserdata(L, 2);
  st->depth = 0;
  serial_value(L, st, 1);
  return 0;
}

int folio_serialize(lua_State *L, int idx, FolioBlob *blob) {
  idx = lua_absindex(L, idx);
  SerialState *st = (SerialState *)malloc(sizeof(SerialState));
  if (st == NULL) {
    lua_pushliteral(L, "not enough memory to copy the state");
    return LUA_ERRMEM;
  }
  st->blob = blob;
  lua_pushcfunction(L, folio_serialize_k);
  lua_pushvalue(L, idx);
  lua_pushlightuserdata(L, st);
  int status = lua_pcall(L, 2, 0, 0);
  free(st);
  return status;
}

typedef struct ReadState {
  const unsigned char *p, *end;
  int depth;
} ReadState;

static void read_bytes(lua_State *L, ReadState *r, void *out, size_t n) {
  if ((size_t)(r->end - r->p) < n) luaL_error(L, "a copied state is truncated");
  memcpy(out, r->p, n);
  r->p += n;
}

static void read_value(lua_State *L, ReadState *r) {
  unsigned char tag;
  read_bytes(L, r, &tag, 1);
  switch (tag) {
    case 'n': lua_pushnil(L); break;
    case 'f': lua_pushboolean(L, 0); break;
    case 't': lua_pushboolean(L, 1); break;
    case 'i': {
      lua_Integer i;
      read_bytes(L, r, &i, sizeof i);
      lua_pushinteger(L, i);
      break;
    }
    case 'd': {
      lua_Number d;
      read_bytes(L, r, &d, sizeof d);
      lua_pushnumber(L, d);
      break;
    }
    case 's': {
      uint64_t n;
      read_bytes(L, r, &n, sizeof n);
      if ((uint64_t)(r->end - r->p) < n) luaL_error(L, "a copied state is truncated");
      lua_pushlstring(L, (const char *)r->p, (size_t)n);
      r->p += n;
      break;
    }
    case '{': {
      uint32_t narr, nhash;
      read_bytes(L, r, &narr, sizeof narr);
      read_bytes(L, r, &nhash, sizeof nhash);
      if (++r->depth > FOLIO_MAX_DEPTH) luaL_error(L, "a copied state is nested too deep");
      luaL_checkstack(L, 4, "copied state nested too deep");
      // The hints come from a file: each entry takes at least two bytes of what is left, so a
      // hint past that is a lie, and a crafted state cannot make a huge table from a few bytes.
      size_t most = (size_t)(r->end - r->p) / 2;
      lua_createtable(L, (int)(narr > most ? 0 : narr), (int)(nhash > most ? 0 : nhash));
      for (;;) {
        if (r->p >= r->end) luaL_error(L, "a copied state is truncated");
        if (*r->p == '}') {
          r->p++;
          break;
        }
        read_value(L, r);
        read_value(L, r);
        if (lua_isnil(L, -2)) luaL_error(L, "a copied state has a nil key");
        lua_rawset(L, -3);
      }
      r->depth--;
      break;
    }
    default: luaL_error(L, "a copied state is corrupt (tag %d)", (int)tag);
  }
}

static int folio_deserialize_k(lua_State *L) {
  ReadState *r = (ReadState *)lua_touserdata(L, 1);
  read_value(L, r);
  return 1;
}

int folio_deserialize(lua_State *L, const unsigned char *data, size_t length) {
  ReadState r = {data, data + length, 0};
  lua_pushcfunction(L, folio_deserialize_k);
  lua_pushlightuserdata(L, &r);
  return lua_pcall(L, 1, 1, 0);
}
