// A compiled ICU MessageFormat for one (pattern, locale, time zone).
//
// The pattern is parsed by ICU's own MessagePattern, and every sub-format is created by ICU's own
// MessageFormat (a one-argument MessageFormat per argument), so output is byte-identical to
// icu::MessageFormat. What this adds over MessageFormat:
//   - every date/time sub-format, nested ones inside plural/select included, gets the given time zone
//     (MessageFormat::adoptFormat only reaches top-level arguments);
//   - currency skeletons (`::currency/TND ...`) get the locale's symbol override (e.g. "DT");
//   - argument names are resolved to indices once, at compile time, and checked against their kinds.
// Nothing here reads or sets ICU's default locale or time zone.
#include "heraldicu.h"

#include <unicode/basictz.h>
#include <unicode/datefmt.h>
#include <unicode/dcfmtsym.h>
#include <unicode/decimfmt.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/numberformatter.h>
#include <unicode/plurrule.h>
#include <unicode/timezone.h>
#include <unicode/uloc.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using icu::Formattable;
using icu::MessagePattern;
using icu::UnicodeString;

static double numeric_value(const hr_arg &a);

namespace {

void set_error(hr_error *err, int32_t code, int32_t offset, const std::string &message) {
    if (err == nullptr) return;
    err->code = code;
    err->offset = offset;
    std::snprintf(err->message, sizeof(err->message), "%s", message.c_str());
}

std::string utf8(const UnicodeString &s) {
    std::string out;
    s.toUTF8String(out);
    return out;
}

enum class SlotKind { None, Number, Date, Other, Plural, SelectOrdinal, Select };

struct Slot {
    SlotKind kind = SlotKind::None;
    int32_t arg = -1;  // index into the declared arguments
    // Number: ICU's own formatter for this argument (also used to choose plural forms).
    std::unique_ptr<icu::number::LocalizedNumberFormatter> number;
    // Date or any other simple format (spellout, ordinal, duration).
    std::unique_ptr<icu::Format> format;
};

}  // namespace

struct hr_message {
    UErrorCode initStatus = U_ZERO_ERROR;
    MessagePattern pattern{initStatus};
    icu::Locale locale;
    std::vector<int32_t> kinds;
    std::vector<std::string> names;
    std::vector<int32_t> used;
    std::vector<Slot> slots;  // indexed by part index of the ARG_START
    std::unique_ptr<icu::number::LocalizedNumberFormatter> defaultNumber;
    std::unique_ptr<icu::DecimalFormat> defaultNumberFormat;  // owns what defaultNumber points to
    std::unique_ptr<icu::DateFormat> defaultDate;
    std::unique_ptr<icu::PluralRules> cardinal;
    std::unique_ptr<icu::PluralRules> ordinal;
};

namespace {

bool is_numeric(int32_t kind) {
    return kind == HR_KIND_INT || kind == HR_KIND_DOUBLE || kind == HR_KIND_DECIMAL;
}

const char *kind_name(int32_t kind) {
    switch (kind) {
    case HR_KIND_STRING: return "a string";
    case HR_KIND_INT: return "an integer";
    case HR_KIND_DOUBLE: return "a number";
    case HR_KIND_DECIMAL: return "a decimal";
    case HR_KIND_DATE: return "a date-time";
    default: return "unknown";
    }
}

// The currency code of a `currency/XXX` stem in a number skeleton, or "".
std::string skeleton_currency(const std::string &skeleton) {
    size_t at = skeleton.find("currency/");
    if (at == std::string::npos) return "";
    if (at != 0 && skeleton[at - 1] != ' ') return "";
    return skeleton.substr(at + 9, 3);
}

// A number skeleton's formatter. A currency with a symbol override keeps the skeleton and the locale's
// placement and spacing, with only the symbol replaced (fr "1 234,500 DT", en "DT 1,234.500").
icu::number::LocalizedNumberFormatter skeleton_formatter(const std::string &skeleton, const icu::Locale &locale,
                                                         const hr_currency_symbol *symbols, int32_t symbolCount,
                                                         UErrorCode &st) {
    auto formatter = icu::number::NumberFormatter::forSkeleton(UnicodeString::fromUTF8(skeleton), st).locale(locale);
    const std::string currency = skeleton_currency(skeleton);
    for (int32_t s = 0; s < symbolCount && !currency.empty(); ++s) {
        if (currency != symbols[s].code) continue;
        icu::DecimalFormatSymbols dfs(locale, st);
        dfs.setSymbol(icu::DecimalFormatSymbols::kCurrencySymbol, UnicodeString::fromUTF8(symbols[s].symbol));
        return formatter.symbols(dfs);
    }
    return formatter;
}

// Builds the formatter ICU's MessageFormat would build for `{0,type,style}`, by asking MessageFormat.
std::unique_ptr<icu::Format> icu_subformat(const UnicodeString &type, const UnicodeString &style, bool hasStyle,
                                           const icu::Locale &locale, UErrorCode &st) {
    UnicodeString one(u"{0,");
    one.append(type);
    if (hasStyle) one.append(u',').append(style);
    one.append(u'}');
    UParseError pe;
    icu::MessageFormat mf(one, locale, pe, st);
    if (U_FAILURE(st)) return nullptr;
    int32_t count = 0;
    const icu::Format **formats = mf.getFormats(count);
    if (count != 1 || formats[0] == nullptr) return nullptr;
    return std::unique_ptr<icu::Format>(formats[0]->clone());
}

const icu::number::LocalizedNumberFormatter *as_number_formatter(const icu::Format *format, UErrorCode &st) {
    auto *df = dynamic_cast<const icu::DecimalFormat *>(format);
    if (df == nullptr) return nullptr;
    return df->toNumberFormatter(st);
}

bool compile(hr_message *m, const icu::TimeZone &tz, const hr_currency_symbol *symbols, int32_t symbolCount,
             hr_error *err) {
    MessagePattern &mp = m->pattern;
    const int32_t parts = mp.countParts();
    m->slots.resize(parts);
    bool needsDefaultDate = false;
    for (int32_t i = 0; i < parts; ++i) {
        const MessagePattern::Part &start = mp.getPart(i);
        if (start.getType() != UMSGPAT_PART_TYPE_ARG_START) continue;
        const MessagePattern::Part &namePart = mp.getPart(i + 1);
        if (namePart.getType() == UMSGPAT_PART_TYPE_ARG_NUMBER) {
            set_error(err, HR_ERR_UNSUPPORTED, namePart.getIndex(),
                      "numbered argument {" + utf8(mp.getSubstring(namePart)) + "}: use a parameter name");
            return false;
        }
        std::string name = utf8(mp.getSubstring(namePart));
        int32_t arg = -1;
        for (size_t a = 0; a < m->names.size(); ++a) {
            if (m->names[a] == name) arg = (int32_t)a;
        }
        if (arg < 0) {
            set_error(err, HR_ERR_UNKNOWN_ARG, namePart.getIndex(), "unknown parameter '" + name + "'");
            return false;
        }
        m->used[arg] = 1;
        const int32_t kind = m->kinds[arg];
        Slot &slot = m->slots[i];
        slot.arg = arg;
        const UMessagePatternArgType argType = start.getArgType();
        auto wrongKind = [&](const std::string &how) {
            set_error(err, HR_ERR_ARG_TYPE, namePart.getIndex(),
                      "parameter '" + name + "' is " + kind_name(kind) + " but is formatted as " + how);
            return false;
        };
        switch (argType) {
        case UMSGPAT_ARG_TYPE_NONE:
            slot.kind = SlotKind::None;
            if (kind == HR_KIND_DATE) needsDefaultDate = true;
            break;
        case UMSGPAT_ARG_TYPE_CHOICE:
            set_error(err, HR_ERR_UNSUPPORTED, start.getIndex(), "choice format is not supported: use plural or select");
            return false;
        case UMSGPAT_ARG_TYPE_PLURAL:
        case UMSGPAT_ARG_TYPE_SELECTORDINAL:
        case UMSGPAT_ARG_TYPE_SELECT: {
            const bool select = argType == UMSGPAT_ARG_TYPE_SELECT;
            if (select && kind != HR_KIND_STRING) return wrongKind("select (which needs a string)");
            if (!select && !is_numeric(kind)) return wrongKind("plural (which needs a number)");
            slot.kind = select ? SlotKind::Select
                               : (argType == UMSGPAT_ARG_TYPE_PLURAL ? SlotKind::Plural : SlotKind::SelectOrdinal);
            // ICU falls back to `other`; a variant list without one is a mistake in the catalog.
            bool hasOther = false;
            const int32_t limit = mp.getLimitPartIndex(i);
            for (int32_t p = i + 2; p < limit; ++p) {
                const MessagePattern::Part &sel = mp.getPart(p);
                if (sel.getType() == UMSGPAT_PART_TYPE_ARG_SELECTOR) {
                    if (mp.partSubstringMatches(sel, UnicodeString(u"other"))) hasOther = true;
                    // skip an explicit value and the sub-message
                    int32_t next = p + 1;
                    if (MessagePattern::Part::hasNumericValue(mp.getPartType(next))) ++next;
                    p = mp.getLimitPartIndex(next);
                }
            }
            if (!hasOther) {
                set_error(err, HR_ERR_MISSING_OTHER, start.getIndex(),
                          "'" + name + "' has no 'other' variant");
                return false;
            }
            break;
        }
        case UMSGPAT_ARG_TYPE_SIMPLE: {
            const MessagePattern::Part &typePart = mp.getPart(i + 2);
            const UnicodeString type = mp.getSubstring(typePart);
            const MessagePattern::Part &stylePart = mp.getPart(i + 3);
            const bool hasStyle = stylePart.getType() == UMSGPAT_PART_TYPE_ARG_STYLE;
            const UnicodeString style = hasStyle ? mp.getSubstring(stylePart) : UnicodeString();
            const std::string typeName = utf8(type);
            UErrorCode st = U_ZERO_ERROR;
            if (typeName == "date" || typeName == "time") {
                if (kind != HR_KIND_DATE) return wrongKind(typeName + " (which needs a date-time)");
            } else if (!is_numeric(kind)) {
                return wrongKind(typeName + " (which needs a number)");
            }
            std::unique_ptr<icu::Format> format = icu_subformat(type, style, hasStyle, m->locale, st);
            if (U_FAILURE(st) || format == nullptr) {
                set_error(err, HR_ERR_SYNTAX, hasStyle ? stylePart.getIndex() : typePart.getIndex(),
                          "cannot create the " + typeName + " format '" + utf8(style) + "': " + u_errorName(st));
                return false;
            }
            if (auto *df = dynamic_cast<icu::DateFormat *>(format.get())) {
                df->setTimeZone(tz);
                slot.kind = SlotKind::Date;
                slot.format = std::move(format);
            } else if (typeName == "number") {
                std::string styleText = utf8(style);
                size_t first = styleText.find_first_not_of(" \t\r\n");
                styleText = first == std::string::npos ? "" : styleText.substr(first);
                if (styleText.rfind("::", 0) == 0) {
                    slot.number = std::make_unique<icu::number::LocalizedNumberFormatter>(
                        skeleton_formatter(styleText.substr(2), m->locale, symbols, symbolCount, st));
                } else if (const auto *lnf = as_number_formatter(format.get(), st)) {
                    slot.number = std::make_unique<icu::number::LocalizedNumberFormatter>(*lnf);
                }
                if (U_FAILURE(st)) {
                    set_error(err, HR_ERR_SYNTAX, stylePart.getIndex(),
                              "cannot create the number format '" + utf8(style) + "': " + u_errorName(st));
                    return false;
                }
                slot.kind = slot.number ? SlotKind::Number : SlotKind::Other;
                if (!slot.number) slot.format = std::move(format);
            } else {
                slot.kind = SlotKind::Other;
                slot.format = std::move(format);
            }
            break;
        }
        }
    }
    UErrorCode st = U_ZERO_ERROR;
    m->defaultNumberFormat.reset(
        dynamic_cast<icu::DecimalFormat *>(icu::NumberFormat::createInstance(m->locale, st)));
    if (U_FAILURE(st) || !m->defaultNumberFormat) {
        set_error(err, HR_ERR_LOCALE, -1, std::string("cannot create a number format: ") + u_errorName(st));
        return false;
    }
    const auto *lnf = m->defaultNumberFormat->toNumberFormatter(st);
    if (lnf != nullptr) m->defaultNumber = std::make_unique<icu::number::LocalizedNumberFormatter>(*lnf);
    m->cardinal.reset(icu::PluralRules::forLocale(m->locale, UPLURAL_TYPE_CARDINAL, st));
    m->ordinal.reset(icu::PluralRules::forLocale(m->locale, UPLURAL_TYPE_ORDINAL, st));
    if (needsDefaultDate) {
        m->defaultDate.reset(icu::DateFormat::createDateTimeInstance(icu::DateFormat::kShort, icu::DateFormat::kShort,
                                                                     m->locale));
        if (m->defaultDate) m->defaultDate->setTimeZone(tz);
    }
    if (U_FAILURE(st) || !m->defaultNumber || !m->cardinal || !m->ordinal) {
        set_error(err, HR_ERR_LOCALE, -1, std::string("cannot load locale data: ") + u_errorName(st));
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------- formatting

struct Args {
    const hr_arg *values;
    int32_t count;
};

struct PluralContext {
    double number;               // argument minus offset
    UnicodeString numberString;  // `#`: number formatted with the default number format
};

icu::number::FormattedNumber format_number(const icu::number::LocalizedNumberFormatter &f, const hr_arg &a,
                                           double minus, UErrorCode &st) {
    if (minus == 0) {
        switch (a.kind) {
        case HR_KIND_INT: return f.formatInt(a.i, st);
        case HR_KIND_DECIMAL: return f.formatDecimal(icu::StringPiece(a.utf8, a.utf8_len), st);
        default: return f.formatDouble(a.d, st);
        }
    }
    return f.formatDouble(numeric_value(a) - minus, st);
}

Formattable formattable(const hr_arg &a, UErrorCode &st) {
    switch (a.kind) {
    case HR_KIND_INT: return Formattable((int64_t)a.i);
    case HR_KIND_DECIMAL: return Formattable(icu::StringPiece(a.utf8, a.utf8_len), st);
    case HR_KIND_DATE: return Formattable(a.d, Formattable::kIsDate);
    case HR_KIND_STRING: return Formattable(UnicodeString::fromUTF8(icu::StringPiece(a.utf8, a.utf8_len)));
    default: return Formattable(a.d);
    }
}


int32_t find_plural_sub(const MessagePattern &mp, int32_t partIndex, const icu::PluralRules &rules,
                        const icu::number::LocalizedNumberFormatter &selectionFormatter, const hr_arg &arg,
                        double number, PluralContext &ctx, UErrorCode &st) {
    const int32_t count = mp.countParts();
    double offset = 0;
    const MessagePattern::Part *part = &mp.getPart(partIndex);
    if (MessagePattern::Part::hasNumericValue(part->getType())) {
        offset = mp.getNumericValue(*part);
        ++partIndex;
    }
    ctx.number = number - offset;
    UnicodeString keyword;
    bool haveKeywordMatch = false;
    int32_t msgStart = 0;
    do {
        part = &mp.getPart(partIndex++);
        if (part->getType() == UMSGPAT_PART_TYPE_ARG_LIMIT) break;
        if (MessagePattern::Part::hasNumericValue(mp.getPartType(partIndex))) {
            part = &mp.getPart(partIndex++);  // explicit value, e.g. =0
            if (number == mp.getNumericValue(*part)) return partIndex;
        } else if (!haveKeywordMatch) {
            if (mp.partSubstringMatches(*part, UnicodeString(u"other"))) {
                if (msgStart == 0) {
                    msgStart = partIndex;
                    if (keyword == UnicodeString(u"other")) haveKeywordMatch = true;
                }
            } else {
                if (keyword.isEmpty()) {
                    icu::number::FormattedNumber fn = format_number(selectionFormatter, arg, offset, st);
                    keyword = rules.select(fn, st);
                    if (msgStart != 0 && keyword == UnicodeString(u"other")) haveKeywordMatch = true;
                }
                if (!haveKeywordMatch && mp.partSubstringMatches(*part, keyword)) {
                    msgStart = partIndex;
                    haveKeywordMatch = true;
                }
            }
        }
        partIndex = mp.getLimitPartIndex(partIndex);
    } while (++partIndex < count);
    return msgStart;
}

int32_t find_select_sub(const MessagePattern &mp, int32_t partIndex, const UnicodeString &keyword) {
    const int32_t count = mp.countParts();
    int32_t msgStart = 0;
    do {
        const MessagePattern::Part &part = mp.getPart(partIndex++);
        if (part.getType() == UMSGPAT_PART_TYPE_ARG_LIMIT) break;
        if (mp.partSubstringMatches(part, keyword)) return partIndex;
        if (msgStart == 0 && mp.partSubstringMatches(part, UnicodeString(u"other"))) msgStart = partIndex;
        partIndex = mp.getLimitPartIndex(partIndex);
    } while (++partIndex < count);
    return msgStart;
}

// The formatter ICU uses to choose a plural form: the first `{name}` or `{name, number, ...}` in the
// `other` variant, else the default number format (MessageFormat::findFirstPluralNumberArg).
const icu::number::LocalizedNumberFormatter &plural_selection_formatter(const hr_message *m, int32_t argStart,
                                                                       int32_t arg) {
    const MessagePattern &mp = m->pattern;
    const int32_t limit = mp.getLimitPartIndex(argStart);
    int32_t other = -1;
    for (int32_t p = argStart + 2; p < limit; ++p) {
        const MessagePattern::Part &sel = mp.getPart(p);
        if (sel.getType() != UMSGPAT_PART_TYPE_ARG_SELECTOR) continue;
        int32_t next = p + 1;
        if (MessagePattern::Part::hasNumericValue(mp.getPartType(next))) ++next;
        if (mp.partSubstringMatches(sel, UnicodeString(u"other"))) {
            other = next;
            break;
        }
        p = mp.getLimitPartIndex(next);
    }
    if (other >= 0) {
        const int32_t otherLimit = mp.getLimitPartIndex(other);
        for (int32_t p = other + 1; p < otherLimit; ++p) {
            const MessagePattern::Part &part = mp.getPart(p);
            if (part.getType() != UMSGPAT_PART_TYPE_ARG_START) continue;
            const UMessagePatternArgType t = part.getArgType();
            if (t != UMSGPAT_ARG_TYPE_NONE && t != UMSGPAT_ARG_TYPE_SIMPLE) {
                p = mp.getLimitPartIndex(p);
                continue;
            }
            if (m->slots[p].arg == arg) {
                if (m->slots[p].number) return *m->slots[p].number;
                break;
            }
        }
    }
    return *m->defaultNumber;
}

void format_part(const hr_message *m, int32_t msgStart, const PluralContext *plural, const Args &args,
                 UnicodeString &out, UErrorCode &st) {
    const MessagePattern &mp = m->pattern;
    const UnicodeString &text = mp.getPatternString();
    int32_t prev = mp.getPart(msgStart).getLimit();
    for (int32_t i = msgStart + 1; U_SUCCESS(st); ++i) {
        const MessagePattern::Part &part = mp.getPart(i);
        const UMessagePatternPartType type = part.getType();
        out.append(text, prev, part.getIndex() - prev);
        if (type == UMSGPAT_PART_TYPE_MSG_LIMIT) return;
        prev = part.getLimit();
        if (type == UMSGPAT_PART_TYPE_REPLACE_NUMBER) {
            if (plural != nullptr) out.append(plural->numberString);
            continue;
        }
        if (type != UMSGPAT_PART_TYPE_ARG_START) continue;
        const int32_t argLimit = mp.getLimitPartIndex(i);
        const Slot &slot = m->slots[i];
        const hr_arg &arg = args.values[slot.arg];
        switch (slot.kind) {
        case SlotKind::None:
            if (is_numeric(arg.kind)) {
                out.append(format_number(*m->defaultNumber, arg, 0, st).toTempString(st));
            } else if (arg.kind == HR_KIND_DATE && m->defaultDate) {
                m->defaultDate->format(arg.d, out);
            } else {
                out.append(UnicodeString::fromUTF8(icu::StringPiece(arg.utf8, arg.utf8_len)));
            }
            break;
        case SlotKind::Number:
            out.append(format_number(*slot.number, arg, 0, st).toTempString(st));
            break;
        case SlotKind::Date:
            static_cast<const icu::DateFormat *>(slot.format.get())->format(arg.d, out);
            break;
        case SlotKind::Other: {
            Formattable f = formattable(arg, st);
            icu::FieldPosition pos;
            slot.format->format(f, out, pos, st);
            break;
        }
        case SlotKind::Plural:
        case SlotKind::SelectOrdinal: {
            const icu::PluralRules &rules = slot.kind == SlotKind::Plural ? *m->cardinal : *m->ordinal;
            PluralContext ctx;
            const double number = numeric_value(arg);
            int32_t sub = find_plural_sub(mp, i + 2, rules, plural_selection_formatter(m, i, slot.arg), arg, number,
                                          ctx, st);
            const MessagePattern::Part &first = mp.getPart(i + 2);
            const double offset =
                MessagePattern::Part::hasNumericValue(first.getType()) ? mp.getNumericValue(first) : 0;
            ctx.numberString = format_number(*m->defaultNumber, arg, offset, st).toTempString(st);
            format_part(m, sub, &ctx, args, out, st);
            break;
        }
        case SlotKind::Select: {
            UnicodeString key = UnicodeString::fromUTF8(icu::StringPiece(arg.utf8, arg.utf8_len));
            format_part(m, find_select_sub(mp, i + 2, key), nullptr, args, out, st);
            break;
        }
        }
        prev = mp.getPart(argLimit).getLimit();
        i = argLimit;
    }
}

// The offset of the innermost '{' that is never closed, skipping 'quoted' text as ICU does.
int32_t unclosed_brace(const UnicodeString &text) {
    std::vector<int32_t> open;
    bool quoted = false;
    for (int32_t i = 0; i < text.length(); ++i) {
        const char16_t c = text.charAt(i);
        if (c == u'\'') {
            if (i + 1 < text.length() && text.charAt(i + 1) == u'\'') { ++i; continue; }
            if (quoted || (i + 1 < text.length() && (text.charAt(i + 1) == u'{' || text.charAt(i + 1) == u'}'))) {
                quoted = !quoted;
            }
            continue;
        }
        if (quoted) continue;
        if (c == u'{') open.push_back(i);
        if (c == u'}' && !open.empty()) open.pop_back();
    }
    return open.empty() ? -1 : open.back();
}

int32_t copy_out(const std::string &s, char *out, int32_t cap) {
    if (out != nullptr && (int32_t)s.size() <= cap) std::memcpy(out, s.data(), s.size());
    return (int32_t)s.size();
}

}  // namespace

static double numeric_value(const hr_arg &a) {
    switch (a.kind) {
    case HR_KIND_INT: return (double)a.i;
    case HR_KIND_DECIMAL: return std::strtod(std::string(a.utf8, a.utf8_len).c_str(), nullptr);
    default: return a.d;
    }
}

extern "C" {

hr_message *hr_message_create(const char *pattern, int32_t pattern_len, const char *locale_id, const char *tz_id,
                              const char *const *names, const int32_t *kinds, int32_t count,
                              const hr_currency_symbol *symbols, int32_t symbol_count, hr_error *err) {
    set_error(err, HR_OK, -1, "");
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(UnicodeString::fromUTF8(tz_id)));
    UnicodeString canonical;
    if (!tz || *tz == icu::TimeZone::getUnknown()) {
        set_error(err, HR_ERR_TIME_ZONE, -1, std::string("unknown time zone '") + tz_id + "'");
        return nullptr;
    }
    auto m = std::make_unique<hr_message>();
    m->locale = icu::Locale::createCanonical(locale_id);
    if (m->locale.isBogus()) {
        set_error(err, HR_ERR_LOCALE, -1, std::string("bad locale '") + locale_id + "'");
        return nullptr;
    }
    for (int32_t a = 0; a < count; ++a) {
        m->names.emplace_back(names[a]);
        m->kinds.push_back(kinds[a]);
        m->used.push_back(0);
    }
    UErrorCode st = U_ZERO_ERROR;
    UParseError pe;
    pe.offset = -1;
    m->pattern.parse(UnicodeString::fromUTF8(icu::StringPiece(pattern, pattern_len)), &pe, st);
    if (U_FAILURE(st)) {
        const UnicodeString text = UnicodeString::fromUTF8(icu::StringPiece(pattern, pattern_len));
        int32_t offset = pe.offset;
        std::string what;
        switch (st) {
        case U_UNMATCHED_BRACES:
            // ICU reports no position for this one: point at the innermost '{' left open.
            offset = unclosed_brace(text);
            what = "a '{' is never closed";
            break;
        case U_DEFAULT_KEYWORD_MISSING: what = "a plural or select has no 'other' variant"; break;
        case U_PATTERN_SYNTAX_ERROR: what = "syntax error"; break;
        case U_ARGUMENT_TYPE_MISMATCH: what = "an argument's type does not fit its style"; break;
        case U_DUPLICATE_KEYWORD: what = "a plural or select lists the same variant twice"; break;
        case U_UNDEFINED_KEYWORD: what = "unknown plural keyword (use zero, one, two, few, many, other or =N)"; break;
        default: what = u_errorName(st); break;
        }
        std::string near = offset >= 0 ? utf8(text.tempSubString(offset, 24)) : "";
        set_error(err, HR_ERR_SYNTAX, offset,
                  "MessageFormat syntax: " + what + (near.empty() ? "" : " at \"" + near + "\""));
        return nullptr;
    }
    if (!compile(m.get(), *tz, symbols, symbol_count, err)) return nullptr;
    return m.release();
}

void hr_message_free(hr_message *message) { delete message; }

int32_t hr_message_uses(const hr_message *message, int32_t index) {
    if (index < 0 || index >= (int32_t)message->used.size()) return 0;
    return message->used[index];
}

int32_t hr_message_select_keys(const hr_message *m, const char *name, char *out, int32_t cap) {
    const MessagePattern &mp = m->pattern;
    std::string keys;
    bool found = false;
    for (int32_t i = 0; i < mp.countParts(); ++i) {
        const Slot &slot = m->slots[i];
        if (slot.kind != SlotKind::Select || m->names[slot.arg] != name) continue;
        found = true;
        const int32_t limit = mp.getLimitPartIndex(i);
        for (int32_t p = i + 2; p < limit; ++p) {
            const MessagePattern::Part &sel = mp.getPart(p);
            if (sel.getType() != UMSGPAT_PART_TYPE_ARG_SELECTOR) continue;
            if (!keys.empty()) keys += '\n';
            keys += utf8(mp.getSubstring(sel));
            p = mp.getLimitPartIndex(p + 1);
        }
    }
    return found ? copy_out(keys, out, cap) : -1;
}

int32_t hr_message_format(const hr_message *message, const hr_arg *args, int32_t count, char *out, int32_t cap,
                          hr_error *err) {
    if (count != (int32_t)message->kinds.size()) {
        set_error(err, HR_ERR_FORMAT, -1, "wrong number of arguments");
        return -1;
    }
    for (int32_t a = 0; a < count; ++a) {
        if (args[a].kind != message->kinds[a]) {
            set_error(err, HR_ERR_ARG_TYPE, -1, "argument '" + message->names[a] + "' has the wrong kind");
            return -1;
        }
    }
    UErrorCode st = U_ZERO_ERROR;
    UnicodeString result;
    format_part(message, 0, nullptr, Args{args, count}, result, st);
    if (U_FAILURE(st)) {
        set_error(err, HR_ERR_FORMAT, -1, std::string("ICU could not format the message: ") + u_errorName(st));
        return -1;
    }
    // Convert straight into the caller's buffer when it fits.
    icu::CheckedArrayByteSink sink(out, cap);
    result.toUTF8(sink);
    if (!sink.Overflowed()) return sink.NumberOfBytesWritten();
    return sink.NumberOfBytesAppended();
}

int32_t hr_reference_format(const char *pattern, int32_t pattern_len, const char *locale_id, const char *tz_id,
                            const char *const *names, const hr_arg *args, int32_t count,
                            const hr_currency_symbol *symbols, int32_t symbol_count, char *out, int32_t cap,
                            hr_error *err) {
    set_error(err, HR_OK, -1, "");
    UErrorCode st = U_ZERO_ERROR;
    const icu::Locale locale = icu::Locale::createCanonical(locale_id);
    const UnicodeString text = UnicodeString::fromUTF8(icu::StringPiece(pattern, pattern_len));
    UParseError pe;
    icu::MessageFormat mf(text, locale, pe, st);
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(UnicodeString::fromUTF8(tz_id)));
    if (U_FAILURE(st)) {
        set_error(err, HR_ERR_SYNTAX, pe.offset, u_errorName(st));
        return -1;
    }
    // The style of each top-level argument, in the order getFormats() lists them.
    icu::MessagePattern mp(text, nullptr, st);
    std::vector<std::string> styles;
    for (int32_t i = 0; i < mp.countParts(); ++i) {
        const MessagePattern::Part &part = mp.getPart(i);
        if (part.getType() != UMSGPAT_PART_TYPE_ARG_START) continue;
        std::string style;
        if (part.getArgType() == UMSGPAT_ARG_TYPE_SIMPLE && mp.getPartType(i + 3) == UMSGPAT_PART_TYPE_ARG_STYLE) {
            style = utf8(mp.getSubstring(mp.getPart(i + 3)).trim());
        }
        styles.push_back(style);
        i = mp.getLimitPartIndex(i);
    }
    int32_t formatCount = 0;
    const icu::Format **aliases = mf.getFormats(formatCount);
    std::vector<const icu::Format *> formats(aliases, aliases + formatCount);
    for (int32_t i = 0; i < formatCount && i < (int32_t)styles.size(); ++i) {
        if (formats[i] == nullptr) continue;
        if (auto *df = dynamic_cast<const icu::DateFormat *>(formats[i])) {
            icu::DateFormat *clone = df->clone();
            clone->setTimeZone(*tz);
            mf.adoptFormat(i, clone);
        } else if (styles[i].rfind("::", 0) == 0) {
            // Only currency skeletons with an override differ from what MessageFormat built.
            const std::string code = skeleton_currency(styles[i].substr(2));
            for (int32_t s = 0; s < symbol_count && !code.empty(); ++s) {
                if (code != symbols[s].code) continue;
                mf.adoptFormat(i, skeleton_formatter(styles[i].substr(2), locale, symbols, symbol_count, st).toFormat(st));
            }
        }
    }
    std::vector<UnicodeString> argNames;
    std::vector<Formattable> values;
    for (int32_t a = 0; a < count; ++a) {
        argNames.push_back(UnicodeString::fromUTF8(names[a]));
        values.push_back(formattable(args[a], st));
    }
    UnicodeString result;
    mf.format(argNames.data(), values.data(), count, result, st);
    if (U_FAILURE(st)) {
        set_error(err, HR_ERR_FORMAT, -1, u_errorName(st));
        return -1;
    }
    return copy_out(utf8(result), out, cap);
}

int32_t hr_locale_from_tag(const char *tag, char *out, int32_t cap) {
    char buffer[ULOC_FULLNAME_CAPACITY];
    int32_t parsed = 0;
    UErrorCode st = U_ZERO_ERROR;
    const int32_t taglen = (int32_t)std::strlen(tag);
    if (taglen == 0) return -1;
    int32_t len = uloc_forLanguageTag(tag, buffer, sizeof(buffer), &parsed, &st);
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || parsed != taglen || len <= 0) return -1;
    return copy_out(std::string(buffer, len), out, cap);
}

int32_t hr_time_zone_canonical(const char *tz_id, char *out, int32_t cap) {
    UnicodeString canonical;
    UBool system = false;
    UErrorCode st = U_ZERO_ERROR;
    icu::TimeZone::getCanonicalID(UnicodeString::fromUTF8(tz_id), canonical, system, st);
    if (U_FAILURE(st) || !system) return -1;
    return copy_out(utf8(canonical), out, cap);
}

int32_t hr_local_to_epoch_ms(const char *tz_id, int32_t year, int32_t month, int32_t day, int32_t hour,
                             int32_t minute, int32_t second, double *out) {
    UErrorCode st = U_ZERO_ERROR;
    icu::TimeZone *tz = icu::TimeZone::createTimeZone(UnicodeString::fromUTF8(tz_id));
    if (tz == nullptr || *tz == icu::TimeZone::getUnknown()) {
        delete tz;
        return -1;
    }
    // The Gregorian calendar of the root locale, adopting the zone: no process default is consulted.
    std::unique_ptr<icu::Calendar> cal(icu::Calendar::createInstance(tz, icu::Locale::getRoot(), st));
    if (U_FAILURE(st)) return -1;
    cal->clear();
    // Fields are range-checked by the caller; lenient only resolves DST gaps (moved forward) and overlaps.
    cal->setLenient(true);
    cal->set(year, month - 1, day, hour, minute, second);
    *out = cal->getTime(st);
    return U_FAILURE(st) ? -1 : 0;
}

struct hr_zone {
    std::unique_ptr<icu::BasicTimeZone> tz;
};

hr_zone *hr_zone_open(const char *tz_id) {
    icu::TimeZone *tz = icu::TimeZone::createTimeZone(UnicodeString::fromUTF8(tz_id));
    if (tz == nullptr || *tz == icu::TimeZone::getUnknown()) {
        delete tz;
        return nullptr;
    }
    auto *basic = dynamic_cast<icu::BasicTimeZone *>(tz);
    if (basic == nullptr) {
        delete tz;
        return nullptr;
    }
    return new hr_zone{std::unique_ptr<icu::BasicTimeZone>(basic)};
}

void hr_zone_close(hr_zone *zone) { delete zone; }

int32_t hr_zone_offset_ms(const hr_zone *zone, double epoch_ms) {
    int32_t raw = 0, dst = 0;
    UErrorCode st = U_ZERO_ERROR;
    zone->tz->getOffset(epoch_ms, false, raw, dst, st);
    return U_FAILURE(st) ? 0 : raw + dst;
}

int32_t hr_zone_offset_local_ms(const hr_zone *zone, double local_ms) {
    int32_t raw = 0, dst = 0;
    UErrorCode st = U_ZERO_ERROR;
    // Non-existent (gap) wall times take the offset before the change; repeated ones the first (daylight).
    zone->tz->getOffsetFromLocal(local_ms, UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw, dst, st);
    return U_FAILURE(st) ? 0 : raw + dst;
}

int32_t hr_plural_category(const char *locale_id, double number, int32_t ordinal, char *out, int32_t cap) {
    UErrorCode st = U_ZERO_ERROR;
    std::unique_ptr<icu::PluralRules> rules(icu::PluralRules::forLocale(
        icu::Locale(locale_id), ordinal ? UPLURAL_TYPE_ORDINAL : UPLURAL_TYPE_CARDINAL, st));
    if (U_FAILURE(st)) return -1;
    return copy_out(utf8(rules->select(number)), out, cap);
}

int32_t hr_icu_version(char *out, int32_t cap) {
    UVersionInfo v;
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_getVersion(v);
    u_versionToString(v, text);
    return copy_out(text, out, cap);
}

}  // extern "C"
