// Herald's C interface to libphonenumber. Only C types cross this boundary.
#ifndef HERALD_PHONE_H
#define HERALD_PHONE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of parsing a phone number.
typedef enum {
    HR_PHONE_OK = 0,
    HR_PHONE_INVALID_COUNTRY_CODE = 1,  // no country calling code, or an unknown one
    HR_PHONE_NOT_A_NUMBER = 2,
    HR_PHONE_TOO_SHORT_AFTER_IDD = 3,
    HR_PHONE_TOO_SHORT = 4,
    HR_PHONE_TOO_LONG = 5,
    HR_PHONE_INVALID_LENGTH = 6,        // possible lengths exist around it, but not this one
    HR_PHONE_LOCAL_ONLY = 7,            // dialable only inside an area: no full number
} hr_phone_code;

typedef struct {
    int32_t code;             // hr_phone_code
    int32_t valid;            // 1 when the metadata knows the range (IsValidNumber), 0 when only possible
    int32_t country_code;     // e.g. 251
    char e164[24];            // "+251911234567"
    char international[40];   // "+251 91 123 4567"
    char region[4];           // "ET", or "" when the number fits no single region
} hr_phone_result;

/// Parses `text` (UTF-8) with `region` (ISO 3166 alpha-2, e.g. "ET") as the region of numbers
/// written without a country code, and checks the number is possible.
void hr_phone_parse(const char *text, const char *region, hr_phone_result *out);

/// Whether libphonenumber knows `region` as a region with a country calling code.
int32_t hr_phone_region_known(const char *region);

#ifdef __cplusplus
}
#endif

#endif
