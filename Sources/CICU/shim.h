// Link-only module: pkg-config icu-i18n provides the flags; CICUShim includes the ICU headers itself.
#include <unicode/uversion.h>
