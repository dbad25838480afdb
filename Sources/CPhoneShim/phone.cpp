// The only code that includes libphonenumber's headers.
#include "heraldphone.h"

#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

void copy(char *dst, size_t cap, const std::string &src) {
    size_t n = src.size() < cap - 1 ? src.size() : cap - 1;
    memcpy(dst, src.data(), n);
    dst[n] = 0;
}

hr_phone_code fromParse(PhoneNumberUtil::ErrorType e) {
    switch (e) {
    case PhoneNumberUtil::NO_PARSING_ERROR: return HR_PHONE_OK;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return HR_PHONE_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::NOT_A_NUMBER: return HR_PHONE_NOT_A_NUMBER;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return HR_PHONE_TOO_SHORT_AFTER_IDD;
    case PhoneNumberUtil::TOO_SHORT_NSN: return HR_PHONE_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN: return HR_PHONE_TOO_LONG;
    }
    return HR_PHONE_NOT_A_NUMBER;
}

}  // namespace

extern "C" void hr_phone_parse(const char *text, const char *region, hr_phone_result *out) {
    memset(out, 0, sizeof(*out));
    // GetInstance is thread-safe and the util is immutable after construction.
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    PhoneNumberUtil::ErrorType parsed = util->Parse(text, region ? region : "ZZ", &number);
    if (parsed != PhoneNumberUtil::NO_PARSING_ERROR) {
        out->code = fromParse(parsed);
        return;
    }
    switch (util->IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE: break;
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: out->code = HR_PHONE_LOCAL_ONLY; return;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: out->code = HR_PHONE_INVALID_COUNTRY_CODE; return;
    case PhoneNumberUtil::TOO_SHORT: out->code = HR_PHONE_TOO_SHORT; return;
    case PhoneNumberUtil::TOO_LONG: out->code = HR_PHONE_TOO_LONG; return;
    case PhoneNumberUtil::INVALID_LENGTH: out->code = HR_PHONE_INVALID_LENGTH; return;
    }
    out->code = HR_PHONE_OK;
    out->valid = util->IsValidNumber(number) ? 1 : 0;
    out->country_code = number.country_code();
    std::string s;
    util->Format(number, PhoneNumberUtil::E164, &s);
    copy(out->e164, sizeof(out->e164), s);
    util->Format(number, PhoneNumberUtil::INTERNATIONAL, &s);
    copy(out->international, sizeof(out->international), s);
    std::string r;
    util->GetRegionCodeForNumber(number, &r);
    if (r.empty() || r == "ZZ" || r == "001") {
        // A possible but unassigned range: the main region of its country code.
        util->GetRegionCodeForCountryCode(number.country_code(), &r);
    }
    copy(out->region, sizeof(out->region), r == "ZZ" ? std::string() : r);
}

extern "C" int32_t hr_phone_region_known(const char *region) {
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    return region && util->GetCountryCodeForRegion(region) != 0 ? 1 : 0;
}
