// CFolioSupport is a header of static inline functions; SwiftPM needs one source file.
#include "CFolioSupport.h"
