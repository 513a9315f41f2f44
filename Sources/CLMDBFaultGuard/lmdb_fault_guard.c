#define _GNU_SOURCE
#include "lmdb_fault_guard.h"

#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

// Everything the handlers read is written before a fault can need it and kept in fixed buffers: a signal
// handler may not allocate, lock or call stdio (only write(2) and _exit(2) are used there).

enum { maxCodeRanges = 8, maxMaps = 8, textSize = 512 };

struct code_range { uintptr_t start, end; };
struct map_entry { volatile int used; uintptr_t base, end; char path[textSize]; };

static struct code_range code_ranges[maxCodeRanges];
static int code_range_count;
static struct map_entry maps[maxMaps];
static char program_name[64];
static char advice_text[textSize];
static char activity_text[128];
static volatile uint64_t progress_position;
static int exit_status = 3;
static volatile int installed;
static struct sigaction previous_segv, previous_bus;

static void copy(char *destination, size_t size, const char *source) {
    if (!source) { destination[0] = 0; return; }
    strncpy(destination, source, size - 1);
    destination[size - 1] = 0;
}

static int find_lmdb(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size; (void)data;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "liblmdb")) return 0;
    for (int i = 0; i < info->dlpi_phnum && code_range_count < maxCodeRanges; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if (header->p_type != PT_LOAD || !(header->p_flags & PF_X)) continue;
        uintptr_t start = info->dlpi_addr + header->p_vaddr;
        code_ranges[code_range_count++] = (struct code_range){start, start + header->p_memsz};
    }
    return 0;
}

static void put(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void put_number(uint64_t value) {
    char digits[32];
    int count = 0;
    do { digits[count++] = (char)('0' + value % 10); value /= 10; } while (value && count < 31);
    char text[32];
    for (int i = 0; i < count; i++) text[i] = digits[count - 1 - i];
    text[count] = 0;
    put(text);
}

static const char *store_path(uintptr_t address) {
    const char *last = NULL;
    for (int i = 0; i < maxMaps; i++) {
        if (!maps[i].used) continue;
        if (address >= maps[i].base && address < maps[i].end) return maps[i].path;
        last = maps[i].path;
    }
    return last;
}

/// Writes the whole message and exits; never returns.
static void report(const char *what, const char *detail, uintptr_t address) {
    const char *path = store_path(address);
    put(program_name);
    put(": the store");
    if (path) { put(" at "); put(path); }
    put(" is damaged: ");
    put(what);
    if (detail) { put(" ("); put(detail); put(")"); }
    if (activity_text[0]) {
        put(", while ");
        put(activity_text);
        uint64_t position = progress_position;
        if (position) { put(" (past position "); put_number(position); put(")"); }
    }
    put(". The transaction under way was not committed. ");
    put(advice_text);
    put("\n");
    _exit(exit_status);
}

static uintptr_t program_counter(void *context) {
    ucontext_t *machine = context;
#if defined(__x86_64__)
    return (uintptr_t)machine->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)machine->uc_mcontext.pc;
#else
    (void)machine;
    return 0;
#endif
}

static int in_lmdb(uintptr_t pc) {
    for (int i = 0; i < code_range_count; i++)
        if (pc >= code_ranges[i].start && pc < code_ranges[i].end) return 1;
    return 0;
}

static int in_map(uintptr_t address) {
    for (int i = 0; i < maxMaps; i++)
        if (maps[i].used && maps[i].base && address >= maps[i].base && address < maps[i].end) return 1;
    return 0;
}

static void on_fault(int signal, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    if (in_lmdb(program_counter(context)) || in_map(address)) {
        if (signal == SIGBUS)
            report("a page of data.mdb could not be read (SIGBUS: the file is shorter than its pages say, or "
                   "the disk failed)", NULL, address);
        report("LMDB followed a corrupt page to an address outside the file (SIGSEGV)", NULL, address);
    }
    // Not LMDB's: give the fault back to whoever handled it before; returning re-runs the instruction.
    sigaction(signal, signal == SIGBUS ? &previous_bus : &previous_segv, NULL);
}

void lmdb_fault_guard_install(const char *program, const char *advice, int status) {
    copy(program_name, sizeof program_name, program);
    copy(advice_text, sizeof advice_text, advice);
    exit_status = status;
    code_range_count = 0;
    dl_iterate_phdr(find_lmdb, NULL);

    static char alternate_stack[64 * 1024];
    stack_t stack = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0};
    sigaltstack(&stack, NULL);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
    installed = 1;
}

int lmdb_fault_guard_installed(void) { return installed; }

/// Finds the mapping of `directory`/data.mdb in /proc/self/maps (LMDB does not say where it mapped the file).
static int find_map(const char *directory, uintptr_t *base, uintptr_t *end) {
    char resolved[PATH_MAX], file[PATH_MAX + 16], line[PATH_MAX + 128];
    if (!realpath(directory, resolved)) return 0;
    snprintf(file, sizeof file, "%s/data.mdb", resolved);
    FILE *maps_file = fopen("/proc/self/maps", "r");
    if (!maps_file) return 0;
    int found = 0;
    while (fgets(line, sizeof line, maps_file)) {
        char *name = strchr(line, '/');
        if (!name) continue;
        name[strcspn(name, "\n")] = 0;
        if (strcmp(name, file) != 0) continue;
        unsigned long start, stop;
        if (sscanf(line, "%lx-%lx", &start, &stop) != 2) continue;
        if (!found || start < *base) *base = start;
        if (!found || stop > *end) *end = stop;
        found = 1;
    }
    fclose(maps_file);
    return found;
}

void lmdb_fault_guard_register(const char *directory) {
    uintptr_t base = 0, end = 0;
    if (!find_map(directory, &base, &end)) { base = 0; end = 0; }
    int slot = -1;
    for (int i = 0; i < maxMaps; i++) {
        if (maps[i].used && strcmp(maps[i].path, directory) == 0) { slot = i; break; }
        if (!maps[i].used && slot < 0) slot = i;
    }
    if (slot < 0) return;
    maps[slot].used = 0;
    copy(maps[slot].path, sizeof maps[slot].path, directory);
    maps[slot].base = base;
    maps[slot].end = end;
    maps[slot].used = 1;
}

void lmdb_fault_guard_unregister(const char *directory) {
    for (int i = 0; i < maxMaps; i++)
        if (maps[i].used && strcmp(maps[i].path, directory) == 0) maps[i].used = 0;
}

void lmdb_fault_guard_set_activity(const char *activity) {
    progress_position = 0;
    copy(activity_text, sizeof activity_text, activity);
}

void lmdb_fault_guard_set_progress(uint64_t position) { progress_position = position; }

void lmdb_fault_guard_assert(struct MDB_env *env, const char *message) {
    (void)env;
    if (!installed) return;
    report("LMDB found an inconsistent page", message, 0);
}
