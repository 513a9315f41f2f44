#ifndef LMDB_FAULT_GUARD_H
#define LMDB_FAULT_GUARD_H

#include <stddef.h>
#include <stdint.h>

/// Turns LMDB's reactions to a damaged file (a failed assertion, which aborts; a wild read through a corrupt
/// page, which faults) into a written message and an exit status, instead of a signal.
///
/// Only faults whose program counter lies in liblmdb's code, or whose address lies in a registered map, are
/// taken; any other fault goes on to the handler installed before (the Swift runtime's backtracer), so a
/// bug elsewhere still crashes loudly with its backtrace.

/// Installs the handlers. `program` heads the message, `advice` ends it, `status` is the exit status.
void lmdb_fault_guard_install(const char *program, const char *advice, int status);

/// Whether `lmdb_fault_guard_install` ran.
int lmdb_fault_guard_installed(void);

/// Names an open environment's directory, and finds its map, so a fault names its store. Call again after
/// the map moved (a new map size).
void lmdb_fault_guard_register(const char *directory);

/// Forgets an environment registered with `lmdb_fault_guard_register`.
void lmdb_fault_guard_unregister(const char *directory);

/// What the process is doing, for the message ("walking the hash chain"); NULL for nothing in particular.
void lmdb_fault_guard_set_activity(const char *activity);

/// A position the activity has reached, for the message; 0 for none.
void lmdb_fault_guard_set_progress(uint64_t position);

/// The callback for `mdb_env_set_assert`: writes the message and exits when the guard is installed; returns
/// (and LMDB aborts, as it would without a callback) when it is not.
struct MDB_env;
void lmdb_fault_guard_assert(struct MDB_env *env, const char *message);

#endif
