// Cross-checks the engine against Debian's python3-jinja2, configured as
// transformers configures it: many conversations through several chat
// templates, and many small templates through the expression language.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "chat/jinja_json.h"
#include "chat/jinja_template.h"
#include "common/fixtures.h"
#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;

// The system interpreter: Debian's python3-jinja2 lives there, not in pyenv.
constexpr const char* kPython = "/usr/bin/python3";

const char* const kSmolLM2Template =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
    "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

const char* const kLlama3Template = R"({{- bos_token }}
{%- if messages[0]['role'] == 'system' %}
    {%- if messages[0]['content'] is string %}
        {%- set system_message = messages[0]['content']|trim %}
    {%- else %}
        {%- set system_message = messages[0]['content'][0]['text']|trim %}
    {%- endif %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{%- set ns = namespace(turns=0, last_role='') %}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- for message in messages %}
    {%- if message['role'] == ns.last_role %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- set ns.last_role = message['role'] %}
    {%- set ns.turns = ns.turns + 1 %}
    {%- if message['content'] is string %}
        {%- set content = message['content'] | trim %}
    {%- else %}
        {%- set content = message['content'] | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('\n') %}
    {%- endif %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + content + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
{#- turns: {{ ns.turns }} #}
)";

// Plain (non-dash) tags on their own indented lines: trim_blocks and
// lstrip_blocks decide every newline and space here.
const char* const kFeaturesTemplate = R"({% for message in messages %}
  {% set role = message.role | upper %}
  {% if message.content is string %}
    {{ loop.index }}/{{ loop.length }} {{ role }}: {{ message.content.strip() | replace('\n', ' ') }}
  {% elif message.content is iterable and message.content is not mapping %}
    {% for item in message.content if item.type == 'text' %}
{{ loop.index0 }}{{ '-' if loop.last else ',' }}{{ item.text | title }}|{{ item.text.split() | length }}|{{ item.text[::-1] }}
    {% else %}
[no text in {{ message.content | map(attribute='type') | join('+') }}]
    {% endfor %}
  {% endif %}
  {%- if not loop.last %}
---
  {% endif %}
{% endfor %}
{# a comment
   over lines #}
{% if add_generation_prompt %}{{ eos_token | default('EOS') }}>{{ pad_token is defined }}{% endif %}
)";

const char* const kJsonTemplate = R"({%- for m in messages -%}
{{ m | tojson }}
{{ m.get('role') }} {{ m.get('missing', 'none') }} {{ m.keys() | list | length }} {{ m['content'] is string }}
{{ m | tojson(indent=2, sort_keys=true) }}
{%- endfor %}
{{ messages | length }}{{ '!' if add_generation_prompt }})";

Json text(const std::string& s) { return Json{{"type", "text"}, {"text", s}}; }
Json image() { return Json{{"type", "image"}}; }
Json message(const std::string& role, Json content) { return Json{{"role", role}, {"content", std::move(content)}}; }

std::vector<Json> conversations() {
  const std::string unicode = "Ünïcödé — 日本語 🙂 straße\ttab \"quotes\" 'single' back\\slash";
  std::vector<Json> all = {
      Json::array({message("user", Json::array({text("Hi there!")}))}),
      Json::array({message("user", "Hi there as a plain string")}),
      Json::array({message("system", Json::array({text("You are concise.")})),
                   message("user", Json::array({text("Hello")})),
                   message("assistant", Json::array({text("Hello! How can I help?")})),
                   message("user", Json::array({text("Tell me a joke.")}))}),
      Json::array({message("system", "  Be brief.  "), message("user", "What is 2+2?"),
                   message("assistant", "4"), message("user", "And 3+3?")}),
      Json::array({message("user", Json::array({image(), text("Can you describe this image?")}))}),
      Json::array({message("user", Json::array({text("What is in"), image(), text("this picture?")}))}),
      Json::array({message("user", Json::array({image(), text("Compare with"), image(), text("this one.")}))}),
      Json::array({message("user", Json::array({image()}))}),
      Json::array({message("user", Json::array({text("First a question.")})),
                   message("assistant", Json::array({text("Sure.")})),
                   message("user", Json::array({image(), text("Now look at this.")}))}),
      Json::array({message("user", Json::array({text(unicode)}))}),
      Json::array({message("user", unicode)}),
      Json::array({message("user", Json::array({text("  leading and trailing  \n\n"), text("second\nline")}))}),
      Json::array({message("user", Json::array())}),
      Json::array({message("user", "")}),
      Json::array({message("user", Json::array({text("a")})), message("user", Json::array({text("b")}))}),
      Json::array({message("USER", Json::array({text("shouting role")})),
                   message("tool", Json::array({text("tool output")}))}),
      Json::array({message("user", Json::array({Json{{"type", "video"}, {"path", "clip.mp4"}},
                                                 text("Describe what happens in this video.")}))}),
      Json::array({message("user", Json::array({text("{{ not a tag }} {% neither %} {# nor this #}")}))}),
      Json::array({message("user",
                           Json::array({Json{{"type", "image"}, {"path", "../../x.jpg"}}, text("extra keys")}))}),
      Json::array(),
  };
  Json long_conversation = Json::array();
  for (int i = 0; i < 20; ++i) {
    long_conversation.push_back(message(i % 2 == 0 ? "user" : "assistant",
                                        Json::array({text("turn " + std::to_string(i) + " of twenty")})));
  }
  all.push_back(long_conversation);
  return all;
}

// Small templates over one set of variables, one feature or corner each.
const char* const kSnippetVariables = R"({
  "s": "  Hello World  ", "n": 7, "f": 2.5, "neg": -3, "l": [1, 2, 3], "words": ["b", "a", "c"],
  "d": {"a": 1, "b": [1, 2], "c": {"x": "y"}},
  "users": [{"name": "ann", "age": 30, "admin": true}, {"name": "bob", "age": 25, "admin": false}, {"name": "cy"}],
  "u": "ünï ÇÅ straße", "empty": "", "nothing": null, "t": true, "zero": 0, "fl": 1.0, "csv": "a,b,,c"
})";

const std::vector<std::string> kSnippets = {
    "{{ s }}|{{ n }}|{{ f }}|{{ neg }}|{{ l }}|{{ d }}|{{ nothing }}|{{ t }}|{{ fl }}|{{ users[0] }}",
    "{{ missing }}|{{ missing is defined }}|{{ missing is undefined }}|{{ missing|default('dflt') }}",
    "{{ missing.attr }}", "{{ d.missing }}|{{ d.missing is defined }}", "{{ d.missing.deeper }}",
    "{{ l[5] }}|{{ l[-1] }}|{{ l[-4] }}", "{{ l[5].x }}", "{{ nothing.x }}", "{{ s.nope }}", "{{ s.nope.x }}",
    "{{ d['a'] }}{{ d.a }}{{ d['c']['x'] }}{{ d.c.x }}{{ d.b.1 }}{{ l.0 }}",
    "{{ 1 + 2 * 3 - 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }}",
    "{{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 / 3 }} {{ 10 / 4 }} {{ 2 ** -1 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e16 }} "
    "{{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ 123456789.125 }} {{ -0.0 }} {{ 3.0 * 2 }}",
    "{{ 1 / 0 }}", "{{ 1 // 0 }}", "{{ 'a' + 1 }}", "{{ missing + 1 }}", "{{ 'ab' * 3 }}{{ 3 * 'x' }}{{ [1, 2] * 2 }}",
    "{{ 'a' ~ 1 ~ none ~ true ~ missing ~ 2.0 ~ [1] }}", "{{ 'abc' + 'def' }} {{ [1] + [2, 3] }}",
    "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' == 'a' }} {{ [1, 2] == [1, 2] }} {{ (1, 2) == [1, 2] }} {{ none == none }}",
    "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }} {{ 1 != 2 }}",
    "{{ 1 < 'a' }}",
    "{{ 'ell' in s }} {{ 2 in l }} {{ 'a' in d }} {{ 'z' not in d }} {{ 5 not in l }} {{ 'x' in missing }}",
    "{{ 1 in 'abc' }}",
    "{{ true and 'yes' }} {{ false or 'fallback' }} {{ 0 or '' or 'last' }} {{ not empty }} {{ not not n }}",
    "{{ 'yes' if t else 'no' }} {{ 'yes' if empty else 'no' }} [{{ 'only' if empty }}] {{ 1 if 0 else 2 if 0 else 3 }}",
    "{{ (1, 2) }} {{ (1,) }} {{ () }} {{ [] }} {{ {} }} {{ {'k': 'v', 'q': [1, 'x']} }}",
    "{{ 'it''s' }} {{ \"dq\" 'sq' }} {{ 'esc\\n\\t\\\\\\'\\x41\\u00e9\\U0001F600\\q' }}",
    "{{ \"mixed 'quotes'\" }} {{ ['it\\'s', \"a\\\"b\", 'both\\'\"'] }}",
    "{{ s|trim }}|{{ s|upper }}|{{ s|lower }}|{{ s|title }}|{{ s|capitalize }}|{{ s|length }}",
    "{{ 'hELLO wORLD'|capitalize }}|{{ 'foo-bar (baz)[qux]<x> y'|title }}|{{ u|upper }}|{{ u|lower }}|{{ u|length }}",
    "{{ 'xxhixx'|trim('x') }}|{{ csv|replace(',', ';') }}|{{ csv|replace(',', ';', 2) }}|{{ 'aaa'|replace('', '-') }}",
    "{{ l|join(', ') }}|{{ words|join }}|{{ users|join('/', attribute='name') }}|{{ d|join('-') }}",
    "{{ l|first }} {{ l|last }} {{ s|first }} {{ 'abc'|last }} {{ []|first }} {{ d|first }}",
    "{{ l|length }} {{ d|length }} {{ missing|length }} {{ l|count }}", "{{ n|length }}",
    "{{ '42'|int }} {{ '42.7'|int }} {{ 'x'|int }} {{ 'x'|int(5) }} {{ '0x1A'|int(0, 16) }} {{ 3.9|int }} "
    "{{ -3.9|int }} {{ true|int }} {{ nothing|int }} {{ ' 1_000 '|int }} {{ '0b101'|int(0, 2) }}",
    "{{ '2.5'|float }} {{ 'x'|float }} {{ 3|float }} {{ '1e3'|float }}",
    "{{ 'abc'|list }} {{ d|list }} {{ l|list }} {{ missing|list }} {{ (1, 2)|list }}",
    "{{ d|items|list }} {{ missing|items|list }}", "{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}",
    "{{ 42|string ~ 'x' }} {{ none|string }} {{ l|string }}",
    "{{ l|reverse|list }} {{ 'abc'|reverse }} {{ words|reverse|join }}",
    "{{ d|dictsort }} {{ {'b': 2, 'A': 3, 'a': 1}|dictsort }} {{ {'b': 2, 'A': 3, 'a': 1}|dictsort(true) }} "
    "{{ {'x': 2, 'y': 1, 'z': 2}|dictsort(by='value', reverse=true) }}",
    "{{ words|sort }} {{ ['b', 'A', 'a', 'C']|sort }} {{ ['b', 'A', 'a', 'C']|sort(case_sensitive=true) }} "
    "{{ [3, 1, 2]|sort(reverse=true) }} {{ users|sort(attribute='name', reverse=true)|map(attribute='name')|list }} "
    "{{ [{'a': 2, 'b': 1}, {'a': 1, 'b': 2}, {'a': 1, 'b': 1}]|sort(attribute='a,b') }}",
    "{{ [1, 'a']|sort }}",
    "{{ users|selectattr('admin')|map(attribute='name')|list }} {{ users|rejectattr('admin')|map(attribute='name')|list }}",
    "{{ users|selectattr('name', 'equalto', 'bob')|list }} {{ users|selectattr('age', 'gt', 26)|list|length }}",
    "{{ users|map(attribute='age')|list }} {{ users|map(attribute='age', default=0)|list }}",
    "{{ words|map('upper')|list }} {{ l|select('odd')|list }} {{ l|reject('even')|list }} {{ l|select|list }}",
    "{{ users|selectattr('name', 'in', ['ann', 'cy'])|map(attribute='name')|join(',') }}",
    "{{ d|tojson }} {{ users|tojson }} {{ u|tojson }} {{ [1.0, 2.5, none, true]|tojson }} {{ 'q\"\\\\\\n'|tojson }}",
    "{{ d|tojson(indent=4) }}\n{{ d|tojson(sort_keys=true, separators=[',', ':']) }}\n{{ u|tojson(ensure_ascii=true) }}",
    "{{ [[], {}]|tojson(indent=2) }}{{ {'b': 1, 'a': [1, {'c': none}]}|tojson(indent='--') }}",
    "{{ missing|tojson }}",
    "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxhixx'.strip('x') }}|{{ s.upper() }}|{{ s.lower() }}",
    "{{ s.startswith('  He') }} {{ s.endswith('d  ') }} {{ s.startswith(('x', '  ')) }} {{ 'abc'.endswith('') }}",
    "{{ csv.split(',') }} {{ s.split() }} {{ 'a b  c'.split(none, 1) }} {{ csv.split(',', 1) }} {{ csv.rsplit(',', 1) }}",
    "{{ ' a  b  c '.rsplit(none, 1) }} {{ ''.split() }} {{ ''.split(',') }}",
    "{{ 'hello world'.title() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }} {{ u.title() }}",
    "{{ 'aXbXc'.replace('X', '-') }} {{ 'aXbXc'.replace('X', '-', 1) }} {{ '-'.join(words) }} {{ s.find('World') }} "
    "{{ u.find('ß') }} {{ 'banana'.count('an') }} {{ 'banana'.rfind('an') }}",
    "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'fallback') }} {{ d.items() | list }} {{ d.keys()|list }} "
    "{{ d.values()|list }}",
    "{{ 'abcdef'[1:3] }} {{ 'abcdef'[::-1] }} {{ 'abcdef'[::2] }} {{ 'abcdef'[-2:] }} {{ l[1:] }} {{ l[:-1] }} "
    "{{ l[::-1] }} {{ u[1:4] }} {{ l[10:] }} {{ (1, 2, 3)[1:] }}",
    "{{ 'abc'[::0] }}",
    "{{ n is number }} {{ n is integer }} {{ f is float }} {{ t is boolean }} {{ t is number }} {{ s is string }} "
    "{{ d is mapping }} {{ l is iterable }} {{ s is sequence }} {{ nothing is none }} {{ t is true }} {{ zero is false }}",
    "{{ n is odd }} {{ n is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 'abc' is lower }} "
    "{{ 'ABC' is upper }} {{ '123' is lower }} {{ 2 is in l }} {{ n is eq 7 }} {{ n is ne 7 }} {{ n is lt 8 }} "
    "{{ n is ge 7 }} {{ nothing is sameas none }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ range is callable }}",
    "{{ n is not none and s is not number }}",
    "{% for i in range(3) %}{{ i }}{% endfor %}|{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}|"
    "{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}|{{ range(0)|list }}",
    "{{ range(100001)|length }}",
    "{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}"
    "{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}{{ loop.cycle('a', 'b') }};{% endfor %}",
    "{% for x in [] %}body{% else %}empty{% endfor %}{% for x in missing %}body{% else %}undefined{% endfor %}",
    "{% for x in l if x > 1 %}{{ x }}{{ loop.length }}{{ loop.last }}{% else %}none{% endfor %}",
    "{% for x in l %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}",
    "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}",
    "{% for k in d %}{{ k }}{% endfor %}|{% for c in 'héllo' %}{{ c }}.{% endfor %}|{% for a, b in [[1, 2], [3, 4]] %}"
    "{{ a + b }}{% endfor %}|{% for (a, b) in ['xy'] %}{{ b }}{{ a }}{% endfor %}",
    "{% for a, b in [[1, 2, 3]] %}{% endfor %}", "{% for x in nothing %}{% endfor %}", "{% for x in 5 %}{% endfor %}",
    "{% set x = 0 %}{% for i in l %}{{ x }}{% set x = x + i %}{{ x }},{% endfor %}|{{ x }}",
    "{% for i in l %}{% if i == 1 %}{% set y = 5 %}{% endif %}{{ y }},{% endfor %}|{{ y }}",
    "{% set ns = namespace(total=0, items=[]) %}{% for i in l %}{% set ns.total = ns.total + i %}"
    "{% set ns.items = ns.items + [i * 2] %}{% endfor %}{{ ns.total }} {{ ns.items }} {{ ns }}",
    "{% set x = 1 %}{% set x.attr = 2 %}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = 3, 4 %}{{ c }}",
    "{% set captured %}inner {{ n }}{% endset %}[{{ captured }}]{% set up | upper | trim %}  shout {% endset %}[{{ up }}]",
    "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('ann') }} "
    "{{ greet('bob', greeting='Hi') }} {{ greet() }} {{ greet('x', 'Yo') }}",
    "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}",
    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}",
    "{{ raise_exception('custom failure message') }}", "{{ missing() }}", "{{ n() }}", "{{ s.strip(1) }}",
    "{{ d.get() }}",
    "a  \n  {% if t %}\n    yes\n  {% endif %}\n  b {{ n }}  \n  {# c #}\n  end\n",
    "  {%- if t -%}  x  {%- endif -%}  |  {{- n -}}  |  {{ n }}  ",
    "{% if t %}\n\n{% endif %}\n{%+ if t %}  plus{% endif %}\n  {%+ if t +%}\nkept{% endif %}",
    "line1\r\nline2\r{% if t %}\r\nin{% endif %}\n\n",
    "{% raw %}{{ not evaluated }} {% if %}{% endraw %}|{%- raw -%}  x  {%- endraw -%}  |",
    "{# only a comment #}\n{#- trimmed -#}\n  text  \n{#+ plus +#}\nend",
    "{{ n }}{# comment #}\n{{ n }}\n", "{%- for i in l -%}\n  {{ i }}\n{%- endfor %}\n",
    "text  {% if t %}x{% endif %}  \n  {{ n }}  {% if t %}\n y{% endif %}\n\t {# c #}\n\t{{ n }}{% if t %}\n{% endif %}",
    "\u00a0\u00a0{% if t %}nbsp{% endif %}\n\t{% if t %}tab{% endif %}\n\u3000{%- if t %}ideo{% endif %}",
    "{{ n -}}\u00a0\u3000 x {{- n }}\n{% if t -%}\u2003\n y{%- endif %}",
    "{{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 1.5e3 }} {{ 2E-2 }} {{ 00 }} {{ 3. if true }}",
    "{{ -n }} {{ +n }} {{ -f|abs }} {{ - - 3 }} {{ not t == false }} {{ -2 ** 2 }}",
    "{{ 2 * (3 + 4) }} {{ ((((1)))) }} {{ [1, [2, [3, [4]]]] }}", "{{ {'a': {'b': {'c': 1}}}['a']['b'] }}",
    "{{ l[0] if l else 'none' }}{{ n if n > 5 }}", "{{ s[1] }}{{ u[0] }}{{ u[-1] }}{{ u[100] }}",
    "{{ csv.split('') }}", "{{ users[0].name|capitalize }}{{ users[2].age }}{{ users[2].age is defined }}",
    "{{ users | selectattr('admin', 'defined') | list | length }}",
    "{{ true }}{{ True }}{{ false }}{{ False }}{{ none }}{{ None }}",
    "{{ 'd' ~ '\\u00e9' }} {{ 'a\\\nb' }}", "{{ '{{' }}{{ '}}' }}{{ {'k': '}}'}['k'] }}",
    "{%- if not missing -%}neg{%- endif -%}{%- if missing is none -%}none{%- endif -%}",
    "{{ nothing|default('d') }} {{ empty|default('d') }} {{ empty|default('d', true) }} {{ zero|d('z', true) }}",
    "{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}{% if zero %}a{% elif empty %}b{% else %}c{% endif %}",
    "{{ l|first|string + 'x' }} {{ (l|last) * 2 }} {{ words|join(', ')|upper }}",
    "{{ dict(a=1, b='x') }} {{ namespace(a=1).a }}", "{{ loop }}",
    "{% for i in range(3) %}{{ loop.cycle() }}{% endfor %}",
    "{{ l.append(4) }}",
};

// Unterminated or malformed templates: both must refuse them.
const std::vector<std::string> kBrokenSnippets = {
    "{{ n ", "{% if t %}no end", "{% for x in l %}", "{{ 'unterminated }}", "{% endif %}", "{{ n | nosuchfilter }}",
    "{% if %}{% endif %}", "{{ n is nosuchtest }}", "{% unknown %}", "{{ (1, 2 }}", "{{ ] }}", "{# open comment",
    "{% break %}", "{% for x in l %}{% endfor %}{% continue %}", "{{ }}", "{% set %}",
    "{% macro m(a=1, b) %}{% endmacro %}", "{{ 1 +* 2 }}",
};

struct Job {
  std::string template_source;
  Json variables;
  bool is_chat;  // rendered through ChatTemplate::render rather than the bare engine
};

std::string render_with_engine(const Job& job) {
  if (job.is_chat) {
    Json special = job.variables;
    for (const char* name : {"messages", "add_generation_prompt", "tools", "documents"}) special.erase(name);
    return ChatTemplate::from_string(job.template_source, special)
        .render(job.variables.at("messages"), job.variables.at("add_generation_prompt").get<bool>());
  }
  const jinja::Value variables = jinja::value_from_json(job.variables);
  return jinja::Template::parse(job.template_source).render(variables.as_dict());
}

std::string fixture_template(const std::string& model) {
  return read_json_file(testing::fixtures_dir() + "/models/" + model + "/chat_template.json")
      .at("chat_template")
      .get<std::string>();
}

std::vector<Job> all_jobs() {
  std::vector<Job> jobs;
  const Json special = {{"bos_token", "<|begin_of_text|>"}, {"eos_token", "<end_of_utterance>"},
                        {"pad_token", "<|im_end|>"}, {"unk_token", "<|endoftext|>"}};
  const std::vector<std::string> chat_templates = {
      fixture_template("tiny-smolvlm-256m"), fixture_template("tiny-smolvlm2"), kSmolLM2Template,
      kLlama3Template, kFeaturesTemplate, kJsonTemplate};
  for (const std::string& source : chat_templates) {
    for (const Json& conversation : conversations()) {
      for (bool add_generation_prompt : {true, false}) {
        Json variables = special;
        variables["messages"] = conversation;
        variables["add_generation_prompt"] = add_generation_prompt;
        variables["tools"] = nullptr;
        variables["documents"] = nullptr;
        jobs.push_back({source, variables, true});
      }
    }
  }
  const Json snippet_variables = Json::parse(kSnippetVariables);
  for (const std::string& snippet : kSnippets) jobs.push_back({snippet, snippet_variables, false});
  for (const std::string& snippet : kBrokenSnippets) jobs.push_back({snippet, snippet_variables, false});
  return jobs;
}

TEST(JinjaOracle, MatchesPythonJinja2ByteForByte) {
  if (testing::run_command(std::string(kPython) + " -c 'import jinja2'").exit_code != 0) {
    GTEST_SKIP() << kPython << " has no jinja2; install Debian's python3-jinja2 (scripts/install-deps.sh does)";
  }
  const std::vector<Job> jobs = all_jobs();
  testing::TempDir dir;
  Json job_list = Json::array();
  for (const Job& job : jobs) job_list.push_back({{"template", job.template_source}, {"variables", job.variables}});
  std::ofstream(dir.file("jobs.json")) << job_list.dump();
  const std::string script = testing::source_dir() + "/tests/chat/jinja_oracle.py";
  const testing::CommandResult run = testing::run_command(std::string(kPython) + " " + testing::shell_quote(script) +
                                                          " " + dir.file("jobs.json") + " " + dir.file("results.json"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json results = read_json_file(dir.file("results.json"));
  ASSERT_EQ(results.size(), jobs.size());

  int outputs_matched = 0, errors_matched = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Job& job = jobs[i];
    const Json& expected = results[i];
    SCOPED_TRACE("template: " + job.template_source.substr(0, 300) +
                 (job.is_chat ? "\nmessages: " + job.variables["messages"].dump() : std::string()));
    std::string rendered, error;
    try {
      rendered = render_with_engine(job);
    } catch (const Error& e) {
      error = e.what();
    }
    if (expected.contains("error")) {
      EXPECT_FALSE(error.empty()) << "jinja2 failed (" << expected["error"] << ") but the engine rendered:\n" << rendered;
      const std::string python_error = expected["error"];
      if (python_error.rfind("TemplateError: ", 0) == 0) {
        // raise_exception's message must reach the caller unchanged.
        EXPECT_NE(error.find(python_error.substr(15)), std::string::npos) << error;
      }
      if (!error.empty()) ++errors_matched;
    } else {
      EXPECT_TRUE(error.empty()) << "engine failed: " << error << "\njinja2 rendered:\n" << expected["output"];
      EXPECT_EQ(rendered, expected["output"].get<std::string>());
      if (error.empty() && rendered == expected["output"].get<std::string>()) ++outputs_matched;
    }
  }
  std::printf("[ oracle ] %zu jobs: %d identical outputs, %d errors on both sides\n", jobs.size(), outputs_matched,
              errors_matched);
}

}  // namespace
}  // namespace smolvlm
