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

#include <unicode/ucurr.h>
#include <unicode/basictz.h>
#include <unicode/calendar.h>
#include <unicode/bytestream.h>
#include <unicode/datefmt.h>
#include <unicode/dcfmtsym.h>
#include <unicode/decimfmt.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/numberformatter.h>
#include <unicode/plurrule.h>
#include <unicode/timezone.h>
#include <unicode/uloc.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
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
    // The number style is a DecimalFormat in ICU's MessageFormat (not a skeleton): it decides plural forms
    // through its decimal quantity.
    bool decimalFormat = false;
};

// ---------------------------------------------------------------------------------------- the plan
//
// At compile time the parsed pattern becomes a tree of nodes: literal runs already in UTF-8, and typed slots
// that point straight at their argument and at a cached ICU formatter. Formatting walks the nodes and appends
// UTF-8 to one reused per-thread buffer: strings are copied as bytes, only formatted numbers and dates (a few
// dozen UTF-16 units) are converted. What stays ICU's own: every formatter (made as MessageFormat makes it),
// plural rules, and the order in which ICU's MessageFormat chooses a plural or select variant.

enum class NodeKind { Literal, String, Number, Date, Other, Plural, Select, Pound };

struct Node;

struct Variant {
    bool hasValue = false;   // an explicit `=N`
    double value = 0;
    UnicodeString keyword;   // plural keyword (zero, one, ..., other)
    std::string key;         // select key, UTF-8
    std::vector<Node> nodes;
};

struct Node {
    NodeKind kind = NodeKind::Literal;
    std::string literal;                     // Literal
    int32_t arg = -1;
    const icu::Format *format = nullptr;     // Number (an adapter that appends), Date, Other
    int32_t calendar = -1;                   // Date: which of the message's per-thread calendars
    // Plural and selectordinal.
    double offset = 0;
    const icu::PluralRules *rules = nullptr;
    // ICU chooses the form from the number as this formatter shows it; without one, from the bare double
    // (MessageFormat::PluralSelectorProvider: a DecimalFormat gives its decimal quantity, other formats do not).
    const icu::number::LocalizedNumberFormatter *selection = nullptr;
    bool selectionIsDefault = false;         // the locale's default number format: integers need no formatting
    bool needSelect = false;                 // a keyword other than `other` is present
    int32_t other = -1;
    std::vector<Variant> variants;
    // Whole numbers below a small bound: the variant chosen and `#` formatted, decided at compile time.
    std::vector<int32_t> smallChoice;
    std::vector<std::string> smallPound;
};

// One calendar per (message, calendar) per thread: set once per message, shared by its date and time slots.
// ICU's DateFormat::format(UDate) clones its calendar and zone on every call instead.
struct ThreadCalendar {
    std::unique_ptr<icu::Calendar> calendar;
    double time = 0;   // what the calendar is set to, when `set`
    bool set = false;
};

struct Scratch {
    std::string out;
    UnicodeString piece;
    std::unordered_map<uint64_t, ThreadCalendar> calendars;  // key: message serial << 8 | calendar index
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
    // The plan.
    uint64_t serial = 0;                                // names this message's per-thread calendars
    std::vector<const icu::Calendar *> calendars;       // prototypes, by calendar index
    std::vector<std::unique_ptr<icu::Format>> adapters;  // number formatters as appending icu::Format
    std::vector<Node> nodes;
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
            // MessageFormat reads the type trimmed and in any case (`{d,TIME}`, `{n, Number}`).
            UnicodeString folded(type);
            folded.trim().toLower(icu::Locale::getRoot());
            const std::string typeName = utf8(folded);
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
                    slot.decimalFormat = true;
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

thread_local Scratch scratch;
std::atomic<uint64_t> nextSerial{1};

void append_utf8(std::string &o, const UnicodeString &u) {
    const char16_t *p = u.getBuffer();
    const int32_t n = u.length();
    for (int32_t k = 0; k < n; k++) {
        uint32_t c = p[k];
        if (c < 0x80) {
            o += (char)c;
        } else if (c < 0x800) {
            const char b[2] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F))};
            o.append(b, 2);
        } else if (c >= 0xD800 && c < 0xDC00 && k + 1 < n && p[k + 1] >= 0xDC00 && p[k + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (p[++k] - 0xDC00);
            const char b[4] = {(char)(0xF0 | (c >> 18)), (char)(0x80 | ((c >> 12) & 0x3F)),
                               (char)(0x80 | ((c >> 6) & 0x3F)), (char)(0x80 | (c & 0x3F))};
            o.append(b, 4);
        } else if (c >= 0xD800 && c < 0xE000) {
            o.append("\xEF\xBF\xBD", 3);  // a lone surrogate: U+FFFD, as ICU's UTF-8 conversion does
        } else {
            const char b[3] = {(char)(0xE0 | (c >> 12)), (char)(0x80 | ((c >> 6) & 0x3F)), (char)(0x80 | (c & 0x3F))};
            o.append(b, 3);
        }
    }
}

// An exact decimal of at most 15 significant digits as the double whose shortest form it is. ICU formats a
// double through its shortest round-trip digits, so such a decimal shows exactly as its text would.
bool decimal_as_double(const char *s, int32_t n, double &out) {
    static const double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    int32_t i = 0;
    bool negative = false;
    if (i < n && s[i] == '-') {
        negative = true;
        ++i;
    }
    uint64_t mantissa = 0;
    int32_t digits = 0, fraction = 0;
    bool dot = false, any = false;
    for (; i < n; ++i) {
        const char c = s[i];
        if (c == '.') {
            if (dot) return false;
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') return false;
        any = true;
        if (dot) ++fraction;
        if (mantissa == 0 && c == '0') continue;
        mantissa = mantissa * 10 + (uint64_t)(c - '0');
        if (++digits > 15) return false;
    }
    if (!any || fraction > 22 || (negative && mantissa == 0)) return false;
    // Both operands are exact doubles, so the quotient is the correctly rounded value of the decimal.
    const double value = (double)mantissa / powers[fraction];
    out = negative ? -value : value;
    return true;
}

// The argument, less `minus`, as the Formattable MessageFormat would format.
void numeric_formattable(const hr_arg &a, double minus, Formattable &v, UErrorCode &st) {
    if (minus != 0) {
        v.setDouble(numeric_value(a) - minus);
        return;
    }
    switch (a.kind) {
    case HR_KIND_INT: v.setInt64(a.i); break;
    case HR_KIND_DECIMAL: {
        double d;
        if (decimal_as_double(a.utf8, a.utf8_len, d)) v.setDouble(d);
        else v.setDecimalNumber(icu::StringPiece(a.utf8, a.utf8_len), st);
        break;
    }
    default: v.setDouble(a.d); break;
    }
}

icu::number::FormattedNumber format_number(const icu::number::LocalizedNumberFormatter &f, const hr_arg &a,
                                           double minus, UErrorCode &st) {
    if (minus == 0) {
        switch (a.kind) {
        case HR_KIND_INT: return f.formatInt(a.i, st);
        case HR_KIND_DECIMAL: {
            double d;
            if (decimal_as_double(a.utf8, a.utf8_len, d)) return f.formatDouble(d, st);
            return f.formatDecimal(icu::StringPiece(a.utf8, a.utf8_len), st);
        }
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

// The `other` variant's first `{name}` or `{name, type...}` at its own level (MessageFormat::findFirstPluralNumberArg),
// or -1 (none, or a `#` comes before it).
int32_t first_plural_number_arg(const MessagePattern &mp, int32_t argStart) {
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
    if (other < 0) return -1;
    const UnicodeString name = mp.getSubstring(mp.getPart(argStart + 1));
    const int32_t otherLimit = mp.getLimitPartIndex(other);
    for (int32_t p = other + 1; p < otherLimit; ++p) {
        const MessagePattern::Part &part = mp.getPart(p);
        // A `#` first: MessageFormat then selects with its default number format.
        if (part.getType() == UMSGPAT_PART_TYPE_REPLACE_NUMBER) return -1;
        if (part.getType() != UMSGPAT_PART_TYPE_ARG_START) continue;
        const UMessagePatternArgType t = part.getArgType();
        if ((t == UMSGPAT_ARG_TYPE_NONE || t == UMSGPAT_ARG_TYPE_SIMPLE) &&
            mp.partSubstringMatches(mp.getPart(p + 1), name)) {
            return p;
        }
        p = mp.getLimitPartIndex(p);
    }
    return -1;
}

// The index of the per-thread calendar for a date format: one per calendar type in a message.
int32_t calendar_index(hr_message *m, const icu::DateFormat &df) {
    const icu::Calendar *proto = df.getCalendar();
    for (size_t c = 0; c < m->calendars.size(); ++c) {
        if (std::strcmp(m->calendars[c]->getType(), proto->getType()) == 0 &&
            m->calendars[c]->getTimeZone() == proto->getTimeZone()) {
            return (int32_t)c;
        }
    }
    m->calendars.push_back(proto);
    return (int32_t)m->calendars.size() - 1;
}

void precompute_small(const hr_message *m, Node &n, UErrorCode &st);

const icu::Format *adapter_for(hr_message *m, const icu::number::LocalizedNumberFormatter &f, UErrorCode &st) {
    m->adapters.emplace_back(f.toFormat(st));
    return m->adapters.back().get();
}

std::vector<Node> build_nodes(hr_message *m, int32_t msgStart, bool inPlural, UErrorCode &st) {
    const MessagePattern &mp = m->pattern;
    const UnicodeString &text = mp.getPatternString();
    std::vector<Node> out;
    UnicodeString literal;
    auto flush = [&] {
        if (literal.isEmpty()) return;
        Node n;
        n.kind = NodeKind::Literal;
        literal.toUTF8String(n.literal);
        literal.remove();
        out.push_back(std::move(n));
    };
    int32_t prev = mp.getPart(msgStart).getLimit();
    for (int32_t i = msgStart + 1; U_SUCCESS(st); ++i) {
        const MessagePattern::Part &part = mp.getPart(i);
        const UMessagePatternPartType type = part.getType();
        literal.append(text, prev, part.getIndex() - prev);
        if (type == UMSGPAT_PART_TYPE_MSG_LIMIT) break;
        prev = part.getLimit();
        if (type == UMSGPAT_PART_TYPE_REPLACE_NUMBER) {
            if (!inPlural) continue;
            flush();
            Node n;
            n.kind = NodeKind::Pound;
            out.push_back(std::move(n));
            continue;
        }
        if (type != UMSGPAT_PART_TYPE_ARG_START) continue;
        flush();
        const int32_t argLimit = mp.getLimitPartIndex(i);
        const Slot &slot = m->slots[i];
        const int32_t kind = m->kinds[slot.arg];
        Node n;
        n.arg = slot.arg;
        switch (slot.kind) {
        case SlotKind::None:
            if (is_numeric(kind)) {
                n.kind = NodeKind::Number;
                n.format = m->defaultNumberFormat.get();  // MessageFormat's default number format
            } else if (kind == HR_KIND_DATE) {
                n.kind = NodeKind::Date;
                n.format = m->defaultDate.get();
                n.calendar = calendar_index(m, *m->defaultDate);
            } else {
                n.kind = NodeKind::String;
            }
            break;
        case SlotKind::Number:
            n.kind = NodeKind::Number;
            n.format = adapter_for(m, *slot.number, st);
            break;
        case SlotKind::Date: {
            const auto *df = static_cast<const icu::DateFormat *>(slot.format.get());
            n.kind = NodeKind::Date;
            n.format = df;
            n.calendar = calendar_index(m, *df);
            break;
        }
        case SlotKind::Other:
            n.kind = NodeKind::Other;
            n.format = slot.format.get();
            break;
        case SlotKind::Plural:
        case SlotKind::SelectOrdinal: {
            n.kind = NodeKind::Plural;
            n.rules = slot.kind == SlotKind::Plural ? m->cardinal.get() : m->ordinal.get();
            int32_t p = i + 2;
            if (MessagePattern::Part::hasNumericValue(mp.getPartType(p))) n.offset = mp.getNumericValue(mp.getPart(p++));
            const int32_t found = first_plural_number_arg(mp, i);
            if (found < 0 || m->slots[found].kind == SlotKind::None) {
                n.selection = m->defaultNumber.get();
                n.selectionIsDefault = true;
            } else if (m->slots[found].kind == SlotKind::Number && m->slots[found].decimalFormat) {
                n.selection = m->slots[found].number.get();
            }
            for (; p < argLimit; ++p) {
                const MessagePattern::Part &sel = mp.getPart(p);
                if (sel.getType() != UMSGPAT_PART_TYPE_ARG_SELECTOR) continue;
                Variant v;
                int32_t sub = p + 1;
                if (MessagePattern::Part::hasNumericValue(mp.getPartType(sub))) {
                    v.hasValue = true;
                    v.value = mp.getNumericValue(mp.getPart(sub));
                    ++sub;
                } else {
                    v.keyword = mp.getSubstring(sel);
                    if (v.keyword == UnicodeString(u"other")) {
                        if (n.other < 0) n.other = (int32_t)n.variants.size();
                    } else {
                        n.needSelect = true;
                    }
                }
                v.nodes = build_nodes(m, sub, true, st);
                n.variants.push_back(std::move(v));
                p = mp.getLimitPartIndex(sub);
            }
            precompute_small(m, n, st);
            break;
        }
        case SlotKind::Select:
            n.kind = NodeKind::Select;
            for (int32_t p = i + 2; p < argLimit; ++p) {
                const MessagePattern::Part &sel = mp.getPart(p);
                if (sel.getType() != UMSGPAT_PART_TYPE_ARG_SELECTOR) continue;
                Variant v;
                mp.getSubstring(sel).toUTF8String(v.key);
                if (v.key == "other" && n.other < 0) n.other = (int32_t)n.variants.size();
                v.nodes = build_nodes(m, p + 1, false, st);
                n.variants.push_back(std::move(v));
                p = mp.getLimitPartIndex(p + 1);
            }
            break;
        }
        out.push_back(std::move(n));
        prev = mp.getPart(argLimit).getLimit();
        i = argLimit;
    }
    flush();
    return out;
}

// ---------------------------------------------------------------------------------------- formatting

// PluralFormat::findSubMessage: an explicit =N (against the number itself) wins wherever it is; else the first
// variant whose keyword is the number's form; else the first `other`. The index of the variant.
int32_t choose_variant(const Node &n, const hr_arg &a, UErrorCode &st) {
    double number;
    if (a.kind == HR_KIND_INT) number = (double)a.i;
    else if (a.kind != HR_KIND_DECIMAL || !decimal_as_double(a.utf8, a.utf8_len, number)) number = numeric_value(a);
    for (size_t v = 0; v < n.variants.size(); ++v) {
        if (n.variants[v].hasValue && n.variants[v].value == number) return (int32_t)v;
    }
    if (n.needSelect) {
        UnicodeString keyword;
        const double shown = number - n.offset;
        if (n.selection == nullptr) {
            keyword = n.rules->select(shown);
        } else if (n.selectionIsDefault && a.kind == HR_KIND_INT && shown == std::floor(shown) &&
                   std::fabs(shown) < 9.0e15) {
            // An integer has no fraction digits in the default format: its form is that of the bare number.
            keyword = n.rules->select(shown);
        } else {
            icu::number::FormattedNumber formatted = format_number(*n.selection, a, n.offset, st);
            keyword = n.rules->select(formatted, st);
        }
        for (size_t v = 0; v < n.variants.size(); ++v) {
            if (!n.variants[v].hasValue && n.variants[v].keyword == keyword) return (int32_t)v;
        }
    }
    return n.other;
}

// For the whole numbers 0..kSmall-1: the variant and the `#` text, decided once (as ICU decides them per call).
constexpr int32_t kSmall = 128;

void precompute_small(const hr_message *m, Node &n, UErrorCode &st) {
    if (n.offset != std::floor(n.offset)) return;
    n.smallChoice.resize(kSmall);
    n.smallPound.resize(kSmall);
    UnicodeString text;
    for (int32_t i = 0; i < kSmall && U_SUCCESS(st); ++i) {
        hr_arg a{};
        a.kind = HR_KIND_INT;
        a.i = i;
        n.smallChoice[i] = choose_variant(n, a, st);
        text.remove();
        icu::FieldPosition fp(icu::FieldPosition::DONT_CARE);
        if (n.offset == 0) {
            m->defaultNumberFormat->format((int64_t)i, text, fp);
        } else {
            Formattable v;
            v.setDouble((double)i - n.offset);
            m->defaultNumberFormat->format(v, text, fp, st);
        }
        text.toUTF8String(n.smallPound[i]);
    }
}

struct PluralState {
    const Node *node;
    const hr_arg *arg;
    const std::string *pound;  // `#` already formatted, or null
};

struct Render {
    const hr_message *m;
    const hr_arg *args;
    std::string &out;
    UnicodeString &piece;
    ThreadCalendar *calendars[4] = {nullptr, nullptr, nullptr, nullptr};  // resolved on first use

    icu::Calendar *calendar(int32_t index, double time, UErrorCode &st) {
        ThreadCalendar *entry = index < 4 ? calendars[index] : nullptr;
        if (entry == nullptr) {
            // A message has one calendar per calendar type (in practice one), so the index fits in 8 bits.
            entry = &scratch.calendars[(m->serial << 8) | (uint64_t)index];
            if (!entry->calendar) entry->calendar.reset(m->calendars[index]->clone());
            if (index < 4) calendars[index] = entry;
        }
        // Set once per message: the date and the time of one instant share it.
        if (!entry->set || entry->time != time) {
            entry->calendar->setTime(time, st);
            entry->time = time;
            entry->set = U_SUCCESS(st);
        }
        return entry->calendar.get();
    }

    void flush_piece() {
        append_utf8(out, piece);
        piece.remove();
    }

    void nodes(const std::vector<Node> &list, const PluralState *plural, UErrorCode &st) {
        for (const Node &n : list) {
            if (U_FAILURE(st)) return;
            switch (n.kind) {
            case NodeKind::Literal: out.append(n.literal); break;
            case NodeKind::String: {
                const hr_arg &a = args[n.arg];
                out.append(a.utf8, (size_t)a.utf8_len);
                break;
            }
            case NodeKind::Number: {
                Formattable v;
                numeric_formattable(args[n.arg], 0, v, st);
                icu::FieldPosition fp(icu::FieldPosition::DONT_CARE);
                n.format->format(v, piece, fp, st);
                flush_piece();
                break;
            }
            case NodeKind::Date: {
                icu::FieldPosition fp(icu::FieldPosition::DONT_CARE);
                static_cast<const icu::DateFormat *>(n.format)->format(*calendar(n.calendar, args[n.arg].d, st), piece, fp);
                flush_piece();
                break;
            }
            case NodeKind::Other: {
                Formattable f = formattable(args[n.arg], st);
                icu::FieldPosition fp(icu::FieldPosition::DONT_CARE);
                n.format->format(f, piece, fp, st);
                flush_piece();
                break;
            }
            case NodeKind::Plural: plural_node(n, plural, st); break;
            case NodeKind::Select: {
                const hr_arg &a = args[n.arg];
                const Variant *chosen = nullptr;
                for (const Variant &v : n.variants) {
                    if (v.key.size() == (size_t)a.utf8_len && std::memcmp(v.key.data(), a.utf8, v.key.size()) == 0) {
                        chosen = &v;
                        break;
                    }
                }
                if (chosen == nullptr) chosen = &n.variants[n.other];
                nodes(chosen->nodes, nullptr, st);
                break;
            }
            case NodeKind::Pound: {
                // `#`: the number less the offset, in the locale's default number format (as MessageFormat).
                if (plural == nullptr) break;
                if (plural->pound != nullptr) {
                    out.append(*plural->pound);
                    break;
                }
                const hr_arg &a = *plural->arg;
                icu::FieldPosition fp(icu::FieldPosition::DONT_CARE);
                if (a.kind == HR_KIND_INT && plural->node->offset == 0) {
                    m->defaultNumberFormat->format((int64_t)a.i, piece, fp);
                } else {
                    Formattable v;
                    numeric_formattable(a, plural->node->offset, v, st);
                    m->defaultNumberFormat->format(v, piece, fp, st);
                }
                flush_piece();
                break;
            }
            }
        }
    }

    void plural_node(const Node &n, const PluralState *, UErrorCode &st) {
        const hr_arg &a = args[n.arg];
        // Small whole numbers (counts, mostly) were decided and formatted when the message was compiled.
        if (a.kind == HR_KIND_INT && a.i >= 0 && a.i < (int64_t)n.smallChoice.size()) {
            const PluralState state{&n, &a, &n.smallPound[(size_t)a.i]};
            nodes(n.variants[(size_t)n.smallChoice[(size_t)a.i]].nodes, &state, st);
            return;
        }
        const PluralState state{&n, &a, nullptr};
        nodes(n.variants[(size_t)choose_variant(n, a, st)].nodes, &state, st);
    }
};

// Formats into this thread's buffer; false on an ICU failure.
bool render(const hr_message *m, const hr_arg *args, UErrorCode &st) {
    Scratch &s = scratch;
    s.out.clear();
    s.piece.remove();
    if (s.calendars.size() > 4096) s.calendars.clear();  // bounded: messages freed since leave entries behind
    Render r{m, args, s.out, s.piece};
    r.nodes(m->nodes, nullptr, st);
    return U_SUCCESS(st);
}

}  // namespace

namespace {

// The offset of the innermost '{' that is never closed, skipping 'quoted' text as ICU does.
// The '{' opening the first plural, select or selectordinal whose variants have no `other`, or 0.
int32_t missing_other(const UnicodeString &t) {
    const int32_t len = t.length();
    for (int32_t i = 0; i < len; ++i) {
        if (t[i] != u'{') continue;
        int32_t j = i + 1;
        auto skipSpace = [&] { while (j < len && u_isWhitespace(t[j])) ++j; };
        skipSpace();
        while (j < len && t[j] != u',' && t[j] != u'}' && t[j] != u'{') ++j;
        if (j >= len || t[j] != u',') continue;
        ++j;
        skipSpace();
        const int32_t typeStart = j;
        while (j < len && u_isalpha(t[j])) ++j;
        UnicodeString type = t.tempSubString(typeStart, j - typeStart);
        type.toLower(icu::Locale::getRoot());
        if (type != UnicodeString(u"plural") && type != UnicodeString(u"select") && type != UnicodeString(u"selectordinal")) continue;
        skipSpace();
        if (j >= len || t[j] != u',') continue;
        ++j;
        bool other = false;
        while (j < len) {
            skipSpace();
            if (j >= len || t[j] == u'}') break;
            const int32_t selectorStart = j;
            while (j < len && !u_isWhitespace(t[j]) && t[j] != u'{' && t[j] != u'}') ++j;
            if (t.tempSubString(selectorStart, j - selectorStart) == UnicodeString(u"other")) other = true;
            skipSpace();
            if (j < len && t[j] == u'{') {
                int32_t depth = 0;
                do {
                    if (t[j] == u'{') ++depth;
                    else if (t[j] == u'}') --depth;
                    ++j;
                } while (j < len && depth > 0);
            }
        }
        if (!other) return i;
    }
    return 0;
}

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
        case U_DEFAULT_KEYWORD_MISSING:
            // ICU reports offset 0: point at the plural or select that lacks it.
            offset = missing_other(text);
            what = "a plural or select has no 'other' variant";
            break;
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
    m->serial = nextSerial.fetch_add(1);
    m->nodes = build_nodes(m.get(), 0, false, st);
    if (U_FAILURE(st)) {
        set_error(err, HR_ERR_FORMAT, -1, std::string("cannot build the message's formatters: ") + u_errorName(st));
        return nullptr;
    }
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

static bool check_args(const hr_message *message, const hr_arg *args, int32_t count, hr_error *err) {
    if (count != (int32_t)message->kinds.size()) {
        set_error(err, HR_ERR_FORMAT, -1, "wrong number of arguments");
        return false;
    }
    for (int32_t a = 0; a < count; ++a) {
        if (args[a].kind != message->kinds[a]) {
            set_error(err, HR_ERR_ARG_TYPE, -1, "argument '" + message->names[a] + "' has the wrong kind");
            return false;
        }
    }
    return true;
}

const char *hr_message_format_scratch(const hr_message *message, const hr_arg *args, int32_t count, int32_t *len,
                                      hr_error *err) {
    if (!check_args(message, args, count, err)) return nullptr;
    UErrorCode st = U_ZERO_ERROR;
    if (!render(message, args, st)) {
        set_error(err, HR_ERR_FORMAT, -1, std::string("ICU could not format the message: ") + u_errorName(st));
        return nullptr;
    }
    *len = (int32_t)scratch.out.size();
    return scratch.out.data();
}

int32_t hr_message_format(const hr_message *message, const hr_arg *args, int32_t count, char *out, int32_t cap,
                          hr_error *err) {
    int32_t len = 0;
    const char *text = hr_message_format_scratch(message, args, count, &len, err);
    if (text == nullptr) return -1;
    if (out != nullptr && len <= cap) std::memcpy(out, text, (size_t)len);
    return len;
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

int32_t hr_language_display_name(const char *locale_id, const char *in_locale, char *out, int32_t cap) {
    UnicodeString name;
    icu::Locale(locale_id).getDisplayLanguage(icu::Locale(in_locale), name);
    if (name.isEmpty()) return -1;
    std::string text;
    name.toUTF8String(text);
    return copy_out(text, out, cap);
}

int32_t hr_currency_known(const char *code) {
    if (std::strlen(code) != 3) return 0;
    UChar iso[4] = {(UChar)code[0], (UChar)code[1], (UChar)code[2], 0};
    UErrorCode st = U_ZERO_ERROR;
    const UBool known = ucurr_isAvailable(iso, U_DATE_MIN, U_DATE_MAX, &st);
    return U_SUCCESS(st) && known ? 1 : 0;
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
