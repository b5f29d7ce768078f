// PCRE2 10.42 from Debian (libpcre2-dev, BSD licence), 8-bit code units: folio.re.
// Swift calls the *_8 functions directly (the unsuffixed names are function-like macros).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static const uint32_t folio_pcre2_utf = PCRE2_UTF;
static const uint32_t folio_pcre2_ucp = PCRE2_UCP;
static const uint32_t folio_pcre2_caseless = PCRE2_CASELESS;
static const uint32_t folio_pcre2_multiline = PCRE2_MULTILINE;
static const uint32_t folio_pcre2_dotall = PCRE2_DOTALL;
static const uint32_t folio_pcre2_extended = PCRE2_EXTENDED;
static const uint32_t folio_pcre2_no_utf_check = PCRE2_NO_UTF_CHECK;
static const uint32_t folio_pcre2_jit_complete = PCRE2_JIT_COMPLETE;
static const uint32_t folio_pcre2_info_capturecount = PCRE2_INFO_CAPTURECOUNT;
static const uint32_t folio_pcre2_info_namecount = PCRE2_INFO_NAMECOUNT;
static const uint32_t folio_pcre2_info_nameentrysize = PCRE2_INFO_NAMEENTRYSIZE;
static const uint32_t folio_pcre2_info_nametable = PCRE2_INFO_NAMETABLE;
static const int folio_pcre2_error_nomatch = PCRE2_ERROR_NOMATCH;
static const uint32_t folio_pcre2_anchored = PCRE2_ANCHORED;
static const uint32_t folio_pcre2_info_firstbitmap = PCRE2_INFO_FIRSTBITMAP;
static const uint32_t folio_pcre2_info_firstcodetype = PCRE2_INFO_FIRSTCODETYPE;
static const uint32_t folio_pcre2_info_firstcodeunit = PCRE2_INFO_FIRSTCODEUNIT;
static const uint32_t folio_pcre2_info_alloptions = PCRE2_INFO_ALLOPTIONS;
