"""Text used by make_tokenizer_fixtures.py: the training corpus, the test strings and the
LLaVA-format conversations. Written by hand for vlmtune's tokenizer tests; varied on purpose
(English, code, numbers, accents, emoji, Japanese and other scripts, whitespace runs)."""

CORPUS = [
    "The quick brown fox jumps over the lazy dog. The dog did not mind; it was asleep.",
    "A picture is worth a thousand words, but a caption is worth a few hundred tokens.",
    "What is in the image? The image shows a red square next to a blue circle on a white table.",
    "Describe the scene in detail. There are two cats sitting on a wooden fence at sunset.",
    "The model answers questions about images: colours, shapes, counts, positions and text.",
    "I'm sure it's fine. We'll see what they've done; you'd better ask if they're ready.",
    "DON'T SHOUT. It's OK, YOU'RE RIGHT, I'LL CHECK WHAT THEY'VE WRITTEN.",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 11 12 100 1000 12345 3.14159 2,718 -42 +7 1e-5 0x1F.",
    "On 2024-01-15 at 09:30 the invoice #4521 for $1,234.56 was paid (about €1.100,00).",
    "Call 555-0123 or +1 (800) 555-0199 before 5pm; room 4B, floor 12.",
    "def square(x):\n    return x ** 2  # the square of x\n\nprint(square(12))\n",
    "for (int i = 0; i < n; i++) {\n\tsum += values[i];\n}\n",
    "let url = \"https://example.com/path?q=1&r=2\"\nif url.isEmpty { return nil }\n",
    "import numpy as np\narray = np.zeros((3, 224, 224), dtype=np.float32)\n",
    "{\"id\": 7, \"image\": \"coco/000000123.jpg\", \"conversations\": []}",
    "x = [1, 2, 3]; y = {k: v for k, v in zip('abc', x)}; z = x[-1] if x else None",
    "Café, naïve, résumé, façade, jalapeño, über, Straße, Größe, smørrebrød, Ærø.",
    "Ελληνικά γράμματα: α β γ δ ε. Русский текст: привет, мир! Українська: дякую.",
    "日本語のテキストです。東京は今日も晴れています。カタカナとひらがなと漢字。",
    "猫が二匹、木の柵の上に座っています。画像には赤い四角と青い円があります。",
    "中文：你好，世界。图像中有一只猫。한국어: 안녕하세요, 세계.",
    "Emoji time 😀😃😄 👍👍🏽 ❤️ 🐱🐶 🚀 ✨ and a flag 🇯🇵 and a family 👨‍👩‍👧‍👦.",
    "Whitespace   runs   with   three   spaces, tabs\t\tand\ttabs, and\n\nblank lines.",
    "    Indented line with four spaces.\n        Eight spaces here.\n\tA tab.\n",
    "Trailing spaces at the end   \nand a line with only spaces:\n     \nend.",
    "Windows line endings\r\nare here\r\nand there.\r\n",
    "Punctuation!!! Really??? Yes... (maybe) [surely] {of course} <tags> --dashes-- __under__",
    "Math: a^2 + b^2 = c^2, ∑ x_i ≈ 3.0, √2 ≈ 1.414, 5 × 3 ÷ 2 ≠ 7, ∞ > 10⁶.",
    "Quotes: “curly” ‘single’ «guillemets» „low“ and the ellipsis… and an em dash — here.",
    "Ligatures and compat: ﬁ ﬂ ① ② ² ³ Ⅻ ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３.",
    "The assistant gives helpful, detailed, and polite answers to the user's questions.",
    "A chat between a curious user and an artificial intelligence assistant.",
    "USER: What color is the square? ASSISTANT: The square is red.",
    "You are a helpful assistant. You are able to understand the visual content that the user provides.",
    "the the the the and and and of of of to to to in in in is is is it it it",
    "Photographs, paintings, diagrams, charts, screenshots, documents, receipts and maps.",
    "left right top bottom center corner edge middle above below behind in front of next to",
    "one two three four five six seven eight nine ten eleven twelve hundred thousand million",
    "red orange yellow green blue indigo violet black white grey brown pink purple",
    "square circle triangle rectangle star hexagon oval line arrow cross heart diamond",
]

# Strings every tokenizer is tested on. Family-specific strings with special tokens are added by
# the fixture script (it knows each family's tokens).
TEST_STRINGS = [
    "",
    "Hello world",
    "Hello, world! How are you doing today?",
    "The quick brown fox jumps over the lazy dog.",
    " leading space",
    "trailing space ",
    "  two leading spaces",
    "multiple   spaces   inside",
    "   ",
    " ",
    "\n",
    "\t",
    "tabs\there\t\tand\ttabs",
    "new\nline",
    "\n\nleading newlines",
    "trailing newlines\n\n",
    "mixed \t \n whitespace \r\n runs  \n\n  end",
    "line one   \n   line two",
    "1234567890",
    "3.14159 and 2,718 and -42",
    "Call 555-0123 on 2024-01-15 at 09:30",
    "x = 12345 + 678 * 9",
    "१२३ ٤٥٦ ①②",
    "café naïve résumé",
    "Straße Größe",
    "Ελληνικά Привет мир",
    "e\u0301 combining vs \u00e9 precomposed",
    "ﬁ ligature ① ² Ⅻ ｆｕｌｌ",
    "İstanbul ΣΊΣΥΦΟΣ",
    "I ❤️ emoji 😀👍🏽",
    "family 👨‍👩‍👧‍👦 and flag 🇯🇵",
    "日本語のテキストです。",
    "東京は晴れ、気温は２５度。",
    "你好，世界 안녕하세요",
    "def f(x):\n    return x ** 2  # square\n",
    "for (int i = 0; i < n; i++) { sum += a[i]; }",
    "let url = \"https://example.com/path?q=1&r=2\"",
    "I'm sure it's fine, we'll see. DON'T YOU'LL",
    "'s 'S 'Re 've' 'd",
    "!!!???... --==-- a|b|c (((nested)))",
    "The price is $1,234.56 (≈ €1.100).",
    "\u00a0nbsp\u2003em space\u3000ideographic",
    "\u000bvertical\u000cform\u0085nel\u2028sep",
    "\u200bzero width\ufeffbom",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ababababababababab",
    "supercalifragilisticexpialidocious is a word",
    "Hello there, say Hello! Hellothere hello",
    "pipes|and-dashes=equals 12345 a1b2c3",
    "What is in the image? The image shows a red square.",
    "USER: <image>\nWhat is this? ASSISTANT: A cat.</s>",
]

SYSTEM_TURN = {"from": "system", "value": "You are a careful assistant that describes images."}

# LLaVA-format conversations for the template goldens. Each has a name; the fixture script
# encodes each with every template it applies to.
CONVERSATIONS = [
    ("one_round", [
        {"from": "human", "value": "<image>\nWhat is in the picture?"},
        {"from": "gpt", "value": "A red square on a blue background."},
    ]),
    ("two_rounds", [
        {"from": "human", "value": "<image>\nWhat colour is the square?"},
        {"from": "gpt", "value": "The square is red."},
        {"from": "human", "value": "How many circles are there?"},
        {"from": "gpt", "value": "There are 3 circles, each about 12 pixels wide."},
    ]),
    ("three_rounds_unicode", [
        {"from": "human", "value": "Describe the image.\n<image>"},
        {"from": "gpt", "value": "Two cats 🐱🐱 sit on a fence at sunset."},
        {"from": "human", "value": "日本語で説明してください。"},
        {"from": "gpt", "value": "猫が二匹、柵の上に座っています。"},
        {"from": "human", "value": "And the price tag?"},
        {"from": "gpt", "value": "It says €1.100,00 — about $1,234.56."},
    ]),
    ("multi_image", [
        {"from": "human", "value": "<image>\n<image>\nCompare the two images."},
        {"from": "gpt", "value": "The first is brighter than the second."},
    ]),
    ("images_in_two_turns", [
        {"from": "human", "value": "<image>\nWhat is this?"},
        {"from": "gpt", "value": "A triangle."},
        {"from": "human", "value": "And this one? <image>"},
        {"from": "gpt", "value": "A hexagon."},
    ]),
    ("image_mid_text", [
        {"from": "human", "value": "Look at this <image> and describe it briefly."},
        {"from": "gpt", "value": "A green star in the top left corner."},
    ]),
    ("text_only", [
        {"from": "human", "value": "What is 12 times 12?"},
        {"from": "gpt", "value": "12 times 12 is 144."},
        {"from": "human", "value": "And 13 squared?"},
        {"from": "gpt", "value": "169."},
    ]),
    ("system_turn", [
        SYSTEM_TURN,
        {"from": "human", "value": "<image>\nIs there a dog?"},
        {"from": "gpt", "value": "No, there is no dog."},
    ]),
    ("leading_gpt_turn", [
        {"from": "gpt", "value": "Hello! Send me an image."},
        {"from": "human", "value": "<image>\nWhat shape is it?"},
        {"from": "gpt", "value": "It is a circle."},
    ]),
    ("empty_answer", [
        {"from": "human", "value": "<image>\nSay nothing."},
        {"from": "gpt", "value": ""},
    ]),
    ("trailing_user_turn", [
        {"from": "human", "value": "<image>\nWhat is it?"},
        {"from": "gpt", "value": "A square."},
        {"from": "human", "value": "Are you sure?"},
    ]),
    ("separator_in_answer", [
        {"from": "human", "value": "<image>\nRepeat the end token."},
        {"from": "gpt", "value": "It is written </s> like that."},
    ]),
    ("whitespace_edges", [
        {"from": "human", "value": "  <image>  What is   shown?  "},
        {"from": "gpt", "value": "  A blue line.  \n"},
    ]),
    ("answer_starts_with_newline", [
        {"from": "human", "value": "<image>\nList two colours."},
        {"from": "gpt", "value": "\n\n- red\n- blue"},
    ]),
    ("video", [
        {"from": "human", "value": "<video>\nWhat happens in the video?"},
        {"from": "gpt", "value": "A ball rolls to the left."},
    ]),
]

# Conversations for the `plain` template (stage 1): one image tag, then a caption.
PLAIN_CONVERSATIONS = [
    ("caption", [
        {"from": "human", "value": "<image>\nRender a clear and concise summary of the photo."},
        {"from": "gpt", "value": "a red square on a blue background"},
    ]),
    ("caption_unicode", [
        {"from": "human", "value": "Describe the image concisely.\n<image>"},
        {"from": "gpt", "value": "Two cats 🐱 on a fence — 日本の夕日"},
    ]),
    ("caption_with_spaces", [
        {"from": "human", "value": "<image>"},
        {"from": "gpt", "value": " a caption with  spaces and a trailing space "},
    ]),
    ("caption_two_tags", [
        {"from": "human", "value": "<image>\n<image>\nTwo images."},
        {"from": "gpt", "value": "two pictures of the same dog"},
    ]),
]
