// smolvlm chat: an interactive multi-turn conversation on stdin/stdout.
#include <unistd.h>

#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "generation_flags.h"
#include "smolvlm.h"

namespace smolvlm::cli {
namespace {

constexpr const char* kChatHelp =
    "Type a message and press Enter. Commands:\n"
    "  /image PATH   attach an image to your next message (repeatable)\n"
    "  /video PATH   attach a video to your next message (repeatable)\n"
    "  /reset        forget the conversation\n"
    "  /quit         leave (end of input too)\n";

struct ChatSession {
  Engine& engine;
  GenerationOptions options;
  Conversation base;  // the system message, kept across /reset
  Conversation conversation;
  std::vector<std::string> pending_images;
  std::vector<std::string> pending_videos;

  void reset() {
    conversation = base;
    pending_images.clear();
    pending_videos.clear();
  }

  // One user turn: answers and keeps it, or reports the error and forgets the turn.
  void say(const std::string& text) {
    Message user{"user", {}};
    for (const std::string& path : pending_videos) user.content.push_back(Content::video_item(path));
    for (const std::string& path : pending_images) user.content.push_back(Content::image_item(path));
    user.content.push_back(Content::text_item(text));
    pending_images.clear();
    pending_videos.clear();
    conversation.push_back(user);
    try {
      const GenerationResult r = engine.generate(conversation, options, [](std::string_view t) { std::cout << t << std::flush; });
      std::cout << std::endl;
      conversation.push_back({"assistant", {Content::text_item(r.text)}});
    } catch (const std::exception& e) {
      conversation.pop_back();
      std::cout << std::endl;
      std::cerr << "error: " << e.what() << "\n";
    }
  }

  // Returns false on /quit.
  bool command(const std::string& line) {
    if (line == "/quit" || line == "/exit") return false;
    if (line == "/reset") {
      reset();
      std::cerr << "(conversation cleared)\n";
    } else if (line.rfind("/image ", 0) == 0 && line.size() > 7) {
      pending_images.push_back(line.substr(7));
      std::cerr << "(image attached to your next message: " << pending_images.back() << ")\n";
    } else if (line.rfind("/video ", 0) == 0 && line.size() > 7) {
      pending_videos.push_back(line.substr(7));
      std::cerr << "(video attached to your next message: " << pending_videos.back() << ")\n";
    } else {
      std::cerr << kChatHelp;
    }
    return true;
  }
};

}  // namespace

int chat_main(int argc, char** argv) {
  ArgParser args("chat", "--model DIR [--system TEXT] [options]",
                 std::string("Chats with a checkpoint, keeping the conversation (and encoded images) across turns.\n") +
                     kChatHelp);
  args.option("model", "DIR", "Checkpoint folder as downloaded from the Hugging Face hub")
      .option("system", "TEXT", "System message for the whole chat");
  add_generation_flags(args);
  add_load_flags(args);
  if (!args.parse(argc, argv, 2)) return 0;

  auto engine = Engine::load(args.require("model"), load_options_from_flags(args, "chat"));
  ChatSession chat{*engine, generation_options_from_flags(args, "chat"), {}, {}, {}, {}};
  if (auto system = args.get("system")) chat.base.push_back({"system", {Content::text_item(*system)}});
  chat.reset();

  const bool interactive = ::isatty(STDIN_FILENO);
  if (interactive) std::cerr << kChatHelp;
  std::string line;
  while (true) {
    if (interactive) std::cerr << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    if (line[0] == '/') {
      if (!chat.command(line)) break;
      continue;
    }
    chat.say(line);
  }
  return 0;
}

}  // namespace smolvlm::cli
