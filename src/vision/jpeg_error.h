// libjpeg error handling for our decoder and encoder. libjpeg's default
// error_exit calls exit(); ours formats the message and longjmps back to the
// guard around the libjpeg call (libjpeg's documented recipe), so no C++
// object with a destructor may live between the guard and the call.
#pragma once

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE

#include <jpeglib.h>

namespace smolvlm::detail {

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first: libjpeg hands us &pub
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = "";
};

inline void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

}  // namespace smolvlm::detail
