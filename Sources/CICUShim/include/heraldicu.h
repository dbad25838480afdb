// Herald's C interface to ICU. Only C types cross this boundary: Swift never sees ICU's
// versioned symbol names, and the shim never reads or sets ICU's process-wide defaults.
#ifndef HERALD_ICU_H
#define HERALD_ICU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Kinds of argument values, declared per argument when a message is compiled.
typedef enum {
    HR_KIND_STRING = 0,
    HR_KIND_INT = 1,      // int64 in `i`
    HR_KIND_DOUBLE = 2,   // double in `d`
    HR_KIND_DECIMAL = 3,  // exact decimal number as UTF-8 text in `utf8` ("1234.5")
    HR_KIND_DATE = 4,     // epoch milliseconds in `d`
} hr_kind;

/// Error codes reported by the shim.
typedef enum {
    HR_OK = 0,
    HR_ERR_SYNTAX = 1,          // MessageFormat syntax; `offset` is the UTF-16 offset in the pattern
    HR_ERR_UNKNOWN_ARG = 2,     // the pattern names an argument that was not declared
    HR_ERR_ARG_TYPE = 3,        // the pattern formats an argument in a way its kind does not allow
    HR_ERR_LOCALE = 4,
    HR_ERR_TIME_ZONE = 5,
    HR_ERR_FORMAT = 6,          // ICU failed while formatting (e.g. a malformed decimal)
    HR_ERR_UNSUPPORTED = 7,     // numbered arguments, choice format
    HR_ERR_MISSING_OTHER = 8,   // plural/select without an `other` variant
} hr_code;

typedef struct {
    int32_t code;
    int32_t offset;       // UTF-16 offset into the pattern, or -1
    char message[512];    // UTF-8, NUL-terminated
} hr_error;

typedef struct {
    int32_t kind;         // hr_kind; must match the kind declared at compile time
    const char *utf8;     // HR_KIND_STRING, HR_KIND_DECIMAL
    int32_t utf8_len;
    int64_t i;            // HR_KIND_INT
    double d;             // HR_KIND_DOUBLE, HR_KIND_DATE (epoch ms)
} hr_arg;

/// A currency whose symbol is replaced, e.g. {"TND", "DT"}.
typedef struct {
    const char *code;
    const char *symbol;
} hr_currency_symbol;

typedef struct hr_message hr_message;

/// Compiles an ICU MessageFormat pattern (named arguments only) for one locale and time zone.
/// `names`/`kinds` declare the arguments a caller will pass, in the order they will be passed.
/// The result is immutable and may be used from many threads at once. NULL on error.
hr_message *hr_message_create(const char *pattern, int32_t pattern_len, const char *locale_id, const char *tz_id,
                              const char *const *names, const int32_t *kinds, int32_t count,
                              const hr_currency_symbol *symbols, int32_t symbol_count, hr_error *err);
void hr_message_free(hr_message *message);

/// Whether the pattern uses the argument at `index` (as declared at compile time).
int32_t hr_message_uses(const hr_message *message, int32_t index);

/// Number of plural/select/selectordinal arguments and, for select, their keys (for catalog checks).
/// Writes the keys of the select argument named `name` into `out` separated by '\n'; returns the length,
/// or -1 when the pattern has no select on that name.
int32_t hr_message_select_keys(const hr_message *message, const char *name, char *out, int32_t cap);

/// Formats with `count` arguments in the declared order. Writes UTF-8 into `out` (not NUL-terminated)
/// and returns the full length; when that exceeds `cap`, nothing useful is in `out` and the caller
/// calls again with a buffer of that size. Returns -1 on error.
int32_t hr_message_format(const hr_message *message, const hr_arg *args, int32_t count, char *out, int32_t cap,
                          hr_error *err);

/// Formats into a buffer of the calling thread: returns the UTF-8 text (not NUL-terminated) and its length in
/// `*len`, valid until the thread's next format call; NULL on error. Saves the copy of hr_message_format.
const char *hr_message_format_scratch(const hr_message *message, const hr_arg *args, int32_t count, int32_t *len,
                                      hr_error *err);

/// Formats with ICU's own icu::MessageFormat (named arguments; top-level date formats get the time zone and
/// currency skeletons the symbol override, as Herald does). A reference for differential tests of
/// hr_message_format; arguments nested inside plural/select keep ICU's defaults here.
int32_t hr_reference_format(const char *pattern, int32_t pattern_len, const char *locale_id, const char *tz_id,
                            const char *const *names, const hr_arg *args, int32_t count,
                            const hr_currency_symbol *symbols, int32_t symbol_count, char *out, int32_t cap,
                            hr_error *err);

/// Canonical ICU locale id for a BCP 47 tag ("am-ET" -> "am_ET"). Returns the length, or -1 if malformed.
int32_t hr_locale_from_tag(const char *tag, char *out, int32_t cap);

/// The name of a locale's language in another locale ("am" in "en" -> "Amharic"). Returns the length, or -1.
int32_t hr_language_display_name(const char *locale_id, const char *in_locale, char *out, int32_t cap);

/// 1 when ICU knows `code` as an ISO 4217 currency (in use at some time), else 0.
int32_t hr_currency_known(const char *code);

/// Canonical id of an IANA time zone, or -1 when ICU does not know it.
int32_t hr_time_zone_canonical(const char *tz_id, char *out, int32_t cap);

/// Epoch milliseconds of a local wall time in a time zone (Gregorian). Returns 0 on success.
int32_t hr_local_to_epoch_ms(const char *tz_id, int32_t year, int32_t month, int32_t day, int32_t hour,
                             int32_t minute, int32_t second, double *out);

/// An opened IANA time zone, for repeated offset lookups; immutable and shareable across threads.
typedef struct hr_zone hr_zone;

/// Opens a zone by IANA id; NULL when ICU does not know it.
hr_zone *hr_zone_open(const char *tz_id);

void hr_zone_close(hr_zone *zone);

/// The zone's total UTC offset (standard + daylight) in milliseconds at the instant `epoch_ms`.
int32_t hr_zone_offset_ms(const hr_zone *zone, double epoch_ms);

/// The zone's total UTC offset in milliseconds for a wall-clock time `local_ms` (epoch ms as if the zone were UTC).
/// In a gap (spring forward) the offset before the change; in an overlap the first of the two.
int32_t hr_zone_offset_local_ms(const hr_zone *zone, double local_ms);

/// Plural category ("one", "few", "other", ...) of a number in a locale. Returns the length, or -1.
int32_t hr_plural_category(const char *locale_id, double number, int32_t ordinal, char *out, int32_t cap);

/// ICU's version, e.g. "72.1".
int32_t hr_icu_version(char *out, int32_t cap);

#ifdef __cplusplus
}
#endif

#endif
