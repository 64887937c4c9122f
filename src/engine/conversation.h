// Conversations between the public API (smolvlm::Conversation) and the JSON
// form that chat templates read (HF chat messages).
#pragma once

#include "core/json_file.h"
#include "smolvlm.h"

namespace smolvlm {

// HF message JSON for the template. VLM templates index typed content lists
// (message['content'][0]['type']); text-model templates (SmolLM2) concatenate a
// string, so `content_as_string` renders text-only content as one string.
Json conversation_to_json(const Conversation& conversation, bool content_as_string);

// Image items of the conversation in message order, then content order (SPEC §7.2).
std::vector<const Content*> conversation_images(const Conversation& conversation);

}  // namespace smolvlm
