// What the files of CLuaShim share with each other and not with Swift (include/CLuaShim.h is
// the public contract). One concern per file, as Lua's own sources: state.c (allocator, state),
// watchdog.c (limits hook, deadlines, Ctrl-C), call.c (protected calls, host functions),
// objects.c (host objects), sandbox.c (libraries), guards.c and patterns.c (guarded standard
// functions), serialize.c (plain-data copies), tokens.c (token views).
#ifndef FOLIO_SHIM_INTERNAL_H
#define FOLIO_SHIM_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "CLuaShim.h"

enum { FOLIO_HOOK_EVERY = 1000, FOLIO_MAX_MESSAGE = 4096 };

/// Set by Ctrl-C (folio_interrupt or SIGINT); read by the hook and the watchdog.
extern volatile sig_atomic_t folio_interrupted_flag;
/// The host's dispatcher and releaser (folio_install_host).
extern folio_dispatch_fn folio_host_dispatch;
extern folio_release_fn folio_host_release;

static inline uint64_t folio_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// watchdog.c
void folio_watch_register(FolioVMState *s);
void folio_watch_unregister(FolioVMState *s);
void folio_watch_begin(lua_State *L, FolioVMState *s, uint64_t deadline_ns);
void folio_watch_end(FolioVMState *s);
void folio_hook(lua_State *L, lua_Debug *ar);
/// The hook a thread carries between trips (coroutines always; main under a budget).
void folio_rest_hook(lua_State *L);
/// Pushes the message of the limit that tripped, with the position of `ar` when known.
void folio_push_trip(lua_State *L, lua_Debug *ar);

#endif
