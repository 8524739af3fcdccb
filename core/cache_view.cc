#include "core/cache_view.h"

namespace crmr {

std::vector<std::string> default_blocked_extensions() {
  return {"ade", "adp", "app", "asa", "ashx", "asmx", "asp", "bas", "bat", "cdx", "cer",
          "chm", "class", "cmd", "com", "config", "cpl", "crt", "csh", "dll", "exe",
          "fxp", "hlp", "hta", "htr", "htw", "ida", "idc", "idq", "inf", "ins", "isp",
          "its", "jar", "js", "jse", "ksh", "lnk", "mad", "maf", "mag", "mam", "maq",
          "mar", "mas", "mat", "mau", "mav", "maw", "mda", "mdb", "mde", "mdt", "mdw",
          "mdz", "msc", "msh", "msh1", "msh1xml", "msh2", "msh2xml", "mshxml", "msi",
          "msp", "mst", "ops", "pcd", "pif", "prf", "prg", "printer", "pst", "reg",
          "rem", "scf", "scr", "sct", "shb", "shs", "shtm", "shtml", "soap", "stm",
          "tmp", "url", "vb", "vbe", "vbs", "vsmacros", "vss", "vst", "vsw", "ws",
          "wsc", "wsf", "wsh"};
}

}  // namespace crmr
