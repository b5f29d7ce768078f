// The system's Lua 5.4 (Debian: liblua5.4-dev, headers in /usr/include/lua5.4).
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
