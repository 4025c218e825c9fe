#!/usr/bin/env python3
"""Reference fixtures for the Evaluation module (Tests/Fixtures/eval/).

Builds a small eval set with answers for every task type (tricky answers included) and computes
the metrics with the public scoring scripts, so the Swift tests can check that vlmtune scores
exactly as they do:

- POPE:      LLaVA's llava/eval/eval_pope.py, run as a script (per category) and its eval_pope()
             function (all yes/no items together); metrics read from what it prints.
- ScienceQA: LLaVA's llava/eval/eval_science_qa.py, run as a script on a problems.json /
             pid_splits.json / answers file written for it; metrics read from its output files.
- VQA:       LLaVA's llava/eval/m4c_evaluator.py, imported (EvalAIAnswerProcessor,
             TextVQAAccuracyEvaluator, STVQAAccuracyEvaluator).
- MME:       MME's eval_tool/calculation.py is not in LLaVA (it ships with the benchmark), so
             `mme_calculation` below re-implements it line by line, sklearn calls replaced by
             the same arithmetic.
- Captions:  pycocoevalcap's Bleu(4) and Cider (= CIDEr-D) on captions tokenised by
             `tokenize_caption`, the documented stand-in for its Java PTBTokenizer that the
             Swift CaptionTokenizer implements too.
- Grounding: no public script; `first_box` / `iou` state our definition.

Usage (run by a developer, never by CI; needs pycocoevalcap and tqdm from PyPI):

    git clone https://github.com/haotian-liu/LLaVA /tmp/llava-src      # tested at c121f04
    /tmp/torchref/bin/python Tests/Fixtures/scripts/make_eval_fixtures.py --llava /tmp/llava-src

Outputs, all small JSON:
    evalset.jsonl   the eval set (every type, with groups)
    answers.json    {item id: the model's answer}
    expected.json   the reference metrics per type and group, and per-item parses
    text_cases.json VQA normalisation and caption tokenisation of tricky strings
"""

import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile

from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval")


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# The eval set. Yes/no items come in pairs per image (MME's acc+ and calculation.py's pairing).

POPE_ANSWERS = [
    "Yes", "No", "Yes, there is.", "No, there is not.", "There is no dog in the image.", "yes", "no",
    "Not at all", "I don't think so.", "Nope", "NO", "", "Yes. But no cat.", "no.", "The image does not show it",
    "It's not there", "No,there isn't", "yes, no", "Yes\nNo", "Yes there is a not so small dog",
    "Certainly.", "no", "Y", "No.", "There is a dog, not a cat", "yes", "nothing", "Maybe. No.",
]

MME_PAIRS = [  # answers to an image's two questions, whose references are yes then no
    ("Yes", "No"), ("yes", "no"), ("Yes, it is.", "No."), ("Not sure", "The answer is no"), ("nope", "yesterday"),
    ("", "I think no"), ("YES", "No, there is not"), ("yes", "no way"), ("Yes.", "N"), ("yess", "noo"),
    ("No", "Yes"), ("yes\n", "not really"),
]


def yesno_items():
    items, answers = [], {}
    k = 0
    for category in ["adversarial", "popular", "random"]:
        for image in range(8):
            for q, label in enumerate(["yes", "no"] if image % 3 else ["no", "yes"]):
                item_id = f"pope-{category}-{image}-{q}"
                items.append({"id": item_id, "image": f"coco/{category}_{image}.jpg",
                              "question": f"Is there a thing {q} in the image?", "answer": label,
                              "type": "yesno", "group": category})
                answers[item_id] = POPE_ANSWERS[k % len(POPE_ANSWERS)]
                k += 1
    for number, subtask in enumerate(["existence", "OCR", "count", "code_reasoning"]):
        for image in range(5):
            for q, label in enumerate(["yes", "no"]):
                item_id = f"mme-{subtask}-{image}-{q}"
                items.append({"id": item_id, "image": f"{subtask}/{image}.jpg",
                              "question": f"Is it thing {q}? Please answer yes or no.", "answer": label,
                              "type": "yesno", "group": subtask})
                answers[item_id] = MME_PAIRS[(number * 3 + image * 2) % len(MME_PAIRS)][q]
    return items, answers


CHOICE_CASES = [  # (choices, answer index, model answer)
    (["cat", "dog", "bird"], 0, "A"),
    (["cat", "dog", "bird"], 1, "B"),
    (["cat", "dog", "bird"], 1, "b"),
    (["cat", "dog"], 1, "B. dog"),
    (["cat", "dog"], 0, "A."),
    (["red", "green", "blue", "white"], 2, "The answer is C."),
    (["red", "green", "blue", "white"], 2, "The answer is C"),
    (["red", "green", "blue", "white"], 3, "The answer is D. The answer is D."),
    (["one", "two", "three"], 0, "Answer: A"),
    (["one", "two", "three"], 2, "E"),
    (["one", "two", "three"], 2, "The answer is F."),
    (["one", "two", "three"], 0, "(A)"),
    (["north", "south"], 0, "A. "),
    (["north", "south"], 1, ""),
    (["north", "south"], 1, "The answer is a."),
    (["a", "b", "c", "d", "e"], 4, "E"),
    (["a", "b", "c", "d", "e"], 4, "E. e"),
    (["a", "b", "c", "d", "e"], 3, "I think The answer is D!"),
    (["x", "y", "z"], 2, "C"),
    (["x", "y", "z"], 1, "C"),
    (["x", "y", "z"], 1, "The answer is B.\nThe answer is"),
    (["x", "y", "z"], 1, "The answer is B\n."),
    (["up", "down"], 0, "AB"),
    (["up", "down"], 0, "A, because"),
    (["up", "down"], 1, "B.down"),
    (["left", "right", "center"], 2, "The answer is The answer is C."),
    (["left", "right", "center"], 2, "C. center"),
    (["left", "right", "center"], 0, " A"),
    (["spring", "summer", "autumn", "winter"], 1, "B"),
    (["spring", "summer", "autumn", "winter"], 1, "The answer is B.The answer is C."),
]


def choice_items():
    items, answers = [], {}
    for index, (choices, answer, text) in enumerate(CHOICE_CASES):
        item_id = f"sqa-{index}"
        item = {"id": item_id, "question": f"Question {index}?", "answer": choices[answer], "type": "choice",
                "choices": choices, "group": "IMG" if index % 3 else "NO-IMG"}
        if index % 3:
            item["image"] = f"sqa/{index}.png"
        items.append(item)
        answers[item_id] = text
    return items, answers


SHORT_CASES = [  # (references, answer)
    (["two"] * 10, "2"),
    (["2"] * 4 + ["3"] * 6, "Two"),
    (["2"] * 3 + ["3"] * 7, "2"),
    (["2"] * 2 + ["3"] * 8, "2."),
    (["2"] * 1 + ["3"] * 9, "2"),
    (["red"] * 5 + ["dark red"] * 5, "The red"),
    (["yes"] * 10, "Yes!"),
    (["yes"] * 9 + ["no"], "no"),
    (["a dog"] * 4 + ["dog"] * 3 + ["puppy"] * 3, "Dog."),
    (["ten"] * 10, "10"),
    (["man's hat"] * 6 + ["hat"] * 4, "Man's hat"),
    (["1,000"] * 5 + ["1000"] * 5, "1,000"),
    (["dont know"] * 10, "don't know"),
    (["left"] * 10, "right"),
    (["3.5"] * 10, "3.5"),
    (["tennis"], "Tennis."),
    (["tennis"], "playing tennis"),
    (["New York"], "new york"),
    (["none"], "0"),
    (["hot-dog"], "hot dog"),
    (["U.S.A."], "USA"),
    (["an apple"], "Apple"),
    (["cat", "kitten", "kitty"], "Kitten"),
    (["cat", "kitten", "kitty"], "dog"),
    (["e-mail", "email"], "E-mail"),
]


def short_items():
    items, answers = [], {}
    for index, (references, text) in enumerate(SHORT_CASES):
        item_id = f"vqa-{index}"
        group = "vqa10" if len(references) == 10 else ("single" if len(references) == 1 else "several")
        items.append({"id": item_id, "image": f"vqa/{index}.jpg", "question": f"What is {index}?",
                      "answer": references if len(references) > 1 else references[0], "type": "short", "group": group})
        answers[item_id] = text
    return items, answers


CAPTION_CASES = [  # (references, candidate, group)
    (["A man is riding a horse on the beach.", "A person rides a brown horse along the shore.",
      "Someone riding a horse by the ocean."], "A man riding a horse on a beach.", "coco"),
    (["Two dogs play with a red ball in the grass.", "Two puppies are playing in a grassy field.",
      "A pair of dogs playing with a ball."], "Two dogs are playing with a ball.", "coco"),
    (["A kitchen with white cabinets and a stove.", "A clean kitchen has white cupboards.",
      "White kitchen cabinets above a black stove."], "a kitchen with white cabinets", "coco"),
    (["A plate of food with broccoli and rice.", "Rice, broccoli and chicken on a plate.",
      "A dinner plate holding rice and vegetables."], "A plate of rice and broccoli.", "coco"),
    (["A red double-decker bus drives down the street.", "A double decker bus on a city street.",
      "The red bus is driving on the road."], "A red double-decker bus on the street.", "coco"),
    (["A woman holding an umbrella in the rain.", "A lady with an umbrella walks in the rain.",
      "Person holding an umbrella on a rainy day."], "A woman's umbrella in the rain", "coco"),
    (["A cat sleeping on a laptop keyboard.", "A cat lies on top of a laptop.",
      "The cat is napping on the computer."], "A cat doesn't want you to work.", "coco"),
    (["Children are playing soccer in a park.", "Kids play football on the grass.",
      "A group of children playing soccer."], "...", "coco"),
    (["A clock tower against a blue sky.", "A tall tower with a clock on it.",
      "The clock tower stands under a clear sky."], "A clock tower against a blue sky.", "synthetic"),
    (["A red circle above a blue square.", "A blue square below a red circle."],
     "A red circle and a blue square.", "synthetic"),
    (["A green triangle on the left.", "On the left there is a green triangle."],
     "A big green triangle (on the left)!", "synthetic"),
    (["A yellow star.", "One yellow star in the middle."], "A yellow star, a yellow star.", "synthetic"),
]


def caption_items():
    items, answers = [], {}
    for index, (references, text, group) in enumerate(CAPTION_CASES):
        item_id = f"cap-{index}"
        items.append({"id": item_id, "image": f"captions/{index}.jpg", "question": "Describe the image briefly.",
                      "answer": references, "type": "caption", "group": group})
        answers[item_id] = text
    return items, answers


GROUND_CASES = [  # (reference box, answer)
    ([0.1, 0.2, 0.5, 0.6], "[0.1, 0.2, 0.5, 0.6]"),
    ([0.1, 0.3, 0.55, 0.8], "The box is [0.12,0.3,0.55,0.8]."),
    ([0.1, 0.2, 0.5, 0.6], "[.1, .2, .5, .6]"),
    ([0.1, 0.1, 0.4, 0.4], "[1, 2, 3] and [0.1,0.1,0.4,0.4]"),
    ([0.2, 0.2, 0.6, 0.6], "no box here"),
    ([0.4, 0.4, 0.5, 0.5], "[0.5, 0.5, 0.4, 0.4]"),
    ([0.0, 0.0, 0.5, 0.5], "[-0.1, 0, 0.5, 0.5]"),
    ([0.0, 0.0, 1.0, 1.0], "[ 0 , 0 , 1 , 1 ]"),
    ([0.1, 0.2, 0.5, 0.6], "[0.1, 0.2, 0.5, 0.6"),
    ([0.1, 0.2, 0.5, 0.6], "[a, b, c, d]"),
    ([0.1, 0.2, 0.5, 0.6], "[10, 20, 100, 200]"),
    ([0.2, 0.2, 0.6, 0.6], "[0.2, 0.2, 0.6, 0.6] [0.1, 0.1, 0.2, 0.2]"),
    ([0.3, 0.3, 0.7, 0.7], "[0.35, 0.3, 0.75, 0.7]"),
    ([0.3, 0.3, 0.7, 0.7], "[0.5, 0.5, 0.9, 0.9]"),
    ([0.0, 0.0, 0.4, 0.4], "[0., 0., .4, .4]"),
    ([0.25, 0.25, 0.75, 0.75], "[0.25,0.25,0.75,0.75]\n"),
    ([0.1, 0.1, 0.3, 0.3], "[0.1, 0.1, 0.3, 0.3, 0.5]"),
    ([0.1, 0.1, 0.3, 0.3], "[[0.1, 0.1, 0.3, 0.3]]"),
]


def ground_items():
    items, answers = [], {}
    for index, (box, text) in enumerate(GROUND_CASES):
        item_id = f"ref-{index}"
        items.append({"id": item_id, "image": f"ref/{index}.jpg", "question": f"Where is object {index}?",
                      "answer": "[" + ", ".join(repr(v) for v in box) + "]", "type": "ground",
                      "group": "refcoco" if index % 2 else "synthetic"})
        answers[item_id] = text
    return items, answers


# ---------------------------------------------------------------------------------------------
# POPE with LLaVA's eval_pope.py.

POPE_PRINTED = {"Accuracy": "accuracy", "Precision": "precision", "Recall": "recall", "F1 score": "f1",
                "Yes ratio": "yes_ratio"}


def parse_pope_output(text):
    """Each eval_pope() call prints TP FP TN FN on the line after 'TP\\tFP\\tTN\\tFN\\t' and the
    metrics as 'Accuracy: 0.75' with full float repr."""
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        if line.startswith("TP\tFP\tTN\tFN"):
            tp, fp, tn, fn = (int(v) for v in lines[index + 1].split("\t"))
            block = {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "count": tp + fp + tn + fn}
            for follow in lines[index + 2:index + 7]:
                name, value = follow.split(": ")
                block[POPE_PRINTED[name]] = float(value)
            blocks.append(block)
    return blocks


def pope_reference(llava, items, answers):
    """Per category, LLaVA's script as pope.sh runs it; over all items, its eval_pope()."""
    script = os.path.join(llava, "llava", "eval", "eval_pope.py")
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        annotation_dir = os.path.join(tmp, "coco")
        os.makedirs(annotation_dir)
        questions, results = [], []
        categories = sorted({item["group"] for item in items})
        for category in categories:
            with open(os.path.join(annotation_dir, f"coco_pope_{category}.json"), "w") as f:
                for item in items:
                    if item["group"] == category:
                        f.write(json.dumps({"question_id": item["id"], "label": item["answer"]}) + "\n")
        for item in items:
            questions.append({"question_id": item["id"], "category": item["group"]})
            results.append({"question_id": item["id"], "text": answers[item["id"]]})
        question_file = os.path.join(tmp, "questions.jsonl")
        result_file = os.path.join(tmp, "answers.jsonl")
        with open(question_file, "w") as f:
            f.writelines(json.dumps(q) + "\n" for q in questions)
        with open(result_file, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in results)
        output = subprocess.run([sys.executable, script, "--annotation-dir", annotation_dir,
                                 "--question-file", question_file, "--result-file", result_file],
                                check=True, capture_output=True, text=True).stdout
        order = re.findall(r"Category: (\w+), # samples", output)
        for category, block in zip(order, parse_pope_output(output)):
            expected[category] = block

        all_labels = os.path.join(tmp, "all_labels.json")
        with open(all_labels, "w") as f:
            f.writelines(json.dumps({"label": item["answer"]}) + "\n" for item in items)
        eval_pope = load_module(script, "eval_pope").eval_pope
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            eval_pope([dict(r) for r in results], all_labels)
        expected["all"] = parse_pope_output(captured.getvalue())[0]
    return expected


# ---------------------------------------------------------------------------------------------
# MME: a re-implementation of MME's eval_tool/calculation.py.

MME_EVAL_TYPES = {
    "Perception": ["existence", "count", "position", "color", "posters", "celebrity", "scene", "landmark",
                   "artwork", "OCR"],
    "Cognition": ["commonsense_reasoning", "numerical_calculation", "text_translation", "code_reasoning"],
}


def mme_parse_pred_ans(pred_ans):
    # calculation.py: calculate_metrics.parse_pred_ans
    pred_label = None
    if pred_ans in ["yes", "no"]:
        pred_label = pred_ans
    else:
        prefix_pred_ans = pred_ans[:4]
        if "yes" in prefix_pred_ans:
            pred_label = "yes"
        elif "no" in prefix_pred_ans:
            pred_label = "no"
        else:
            pred_label = "other"
    return pred_label


def mme_task(lines):
    """calculation.py: the body of process_result for one task file (lines 'img\\tq\\tgt\\tpred\\n');
    accuracy_score(gts, preds) is the fraction of equal labels."""
    chunk_lines = [lines[i:i + 2] for i in range(0, len(lines), 2)]  # one image, two questions
    img_num = len(chunk_lines)
    task_other_ans_num = 0
    task_score = 0
    acc_plus_correct_num = 0
    gts, preds = [], []
    for img_items in chunk_lines:
        assert len(img_items) == 2
        img_correct_num = 0
        for img_item in img_items:
            img_name, question, gt_ans, pred_ans = img_item.split("\t")
            gt_ans = gt_ans.lower()
            pred_ans = pred_ans.lower()
            assert gt_ans in ["yes", "no"]
            pred_ans = mme_parse_pred_ans(pred_ans)
            assert pred_ans in ["yes", "no", "other"]
            gts.append(gt_ans)
            preds.append(pred_ans)
            if gt_ans == pred_ans:
                img_correct_num += 1
            if pred_ans not in ["yes", "no"]:
                task_other_ans_num += 1
        if img_correct_num == 2:
            acc_plus_correct_num += 1
    label_map = {"yes": 1, "no": 0, "other": -1}
    gts = [label_map[x] for x in gts]
    preds = [label_map[x] for x in preds]
    acc = sum(1 for g, p in zip(gts, preds) if g == p) / len(gts)  # sklearn accuracy_score
    metric_dict = {"acc": acc}
    acc_plus = acc_plus_correct_num / img_num
    metric_dict["acc_plus"] = acc_plus
    for k, v in metric_dict.items():
        if k in ["acc", "acc_plus"]:
            task_score += v * 100
    return {"acc": acc, "acc_plus": acc_plus, "score": task_score, "other": task_other_ans_num,
            "questions": len(gts), "images": img_num}


def mme_calculation(items, answers):
    """Makes each group's lines as LLaVA's convert_answer_to_mme.py writes them (image, question,
    Yes/No, answer, newline) and scores them. The lines are passed as a list, as readlines()
    would give them, so the one answer holding a newline stays one line."""
    groups = {}
    for item in items:
        pred = answers[item["id"]]
        groups.setdefault(item["group"], []).append(
            "\t".join([item["image"], item["question"], item["answer"].capitalize(), pred]) + "\n")
    subtasks = {name: mme_task(lines) for name, lines in groups.items()}
    totals = {}
    for eval_type, task_name_list in MME_EVAL_TYPES.items():
        present = [name for name in task_name_list if name in subtasks]
        if present:
            scores = 0
            for name in present:
                scores += subtasks[name]["score"]
            totals[eval_type.lower()] = scores
    return {"subtasks": subtasks, **totals}


# ---------------------------------------------------------------------------------------------
# ScienceQA with LLaVA's eval_science_qa.py.

def scienceqa_reference(llava, items, answers):
    script = os.path.join(llava, "llava", "eval", "eval_science_qa.py")
    with tempfile.TemporaryDirectory() as tmp:
        problems = {item["id"]: {"choices": item["choices"], "answer": item["choices"].index(item["answer"])}
                    for item in items}
        with open(os.path.join(tmp, "problems.json"), "w") as f:
            json.dump(problems, f)
        with open(os.path.join(tmp, "pid_splits.json"), "w") as f:
            json.dump({"test": [item["id"] for item in items]}, f)
        result_file = os.path.join(tmp, "answers.jsonl")
        with open(result_file, "w") as f:
            for item in items:
                prompt = ("<image>\n" if "image" in item else "") + item["question"]
                f.write(json.dumps({"question_id": item["id"], "prompt": prompt, "text": answers[item["id"]]}) + "\n")
        output_file = os.path.join(tmp, "output.json")
        output_result = os.path.join(tmp, "result.json")
        subprocess.run([sys.executable, script, "--base-dir", tmp, "--result-file", result_file,
                        "--output-file", output_file, "--output-result", output_result],
                       check=True, capture_output=True, text=True)
        with open(output_file) as f:
            outcome = json.load(f)
        with open(output_result) as f:
            result = json.load(f)

    analyses = outcome["correct"] + outcome["incorrect"]
    parsed = {a["question_id"]: a["parsed_ans"] for a in analyses}
    correct_ids = {a["question_id"] for a in outcome["correct"]}

    def metrics(ids):
        correct = sum(1 for i in ids if i in correct_ids)
        return {"count": len(ids), "correct": correct, "failed": sum(1 for i in ids if parsed[i] == "FAILED"),
                "accuracy": correct / len(ids)}

    expected = {"overall": metrics([item["id"] for item in items]), "groups": {}}
    for group in sorted({item["group"] for item in items}):
        expected["groups"][group] = metrics([item["id"] for item in items if item["group"] == group])
    # The script's own figures, to tie the above to what it reports.
    assert expected["overall"]["correct"] == result["correct"] and expected["overall"]["count"] == result["count"]
    assert abs(expected["overall"]["accuracy"] * 100 - result["acc"]) < 1e-9
    multimodal = [a for a in analyses if a["is_multimodal"]]
    assert expected["groups"]["IMG"]["count"] == len(multimodal)
    expected["parsed"] = {item_id: {"letter": parsed[item_id], "index": result["results"][item_id]}
                          for item_id in parsed}
    return expected


# ---------------------------------------------------------------------------------------------
# Short answers with LLaVA's m4c_evaluator.py.

def short_reference(m4c, items, answers):
    textvqa = m4c.TextVQAAccuracyEvaluator()
    stvqa = m4c.STVQAAccuracyEvaluator()
    scores = {}
    with contextlib.redirect_stderr(io.StringIO()):  # tqdm
        for item in items:
            references = item["answer"] if isinstance(item["answer"], list) else [item["answer"]]
            entry = {"pred_answer": answers[item["id"]], "gt_answers": references}
            evaluator = textvqa if len(references) == 10 else stvqa
            scores[item["id"]] = evaluator.eval_pred_list([entry])

    def metrics(ids):
        values = [scores[i] for i in ids]
        return {"count": len(values), "accuracy": sum(values) / len(values),
                "fully_correct": sum(1 for v in values if v == 1)}

    expected = {"overall": metrics([item["id"] for item in items]), "groups": {}, "per_item": scores}
    for group in sorted({item["group"] for item in items}):
        expected["groups"][group] = metrics([item["id"] for item in items if item["group"] == group])
    # The whole-list evaluators agree with the per-item mean where all items are of one kind.
    with contextlib.redirect_stderr(io.StringIO()):
        tens = [item for item in items if isinstance(item["answer"], list) and len(item["answer"]) == 10]
        whole = textvqa.eval_pred_list([{"pred_answer": answers[i["id"]], "gt_answers": i["answer"]} for i in tens])
    assert whole == expected["groups"]["vqa10"]["accuracy"]
    return expected


# ---------------------------------------------------------------------------------------------
# Captions: our PTBTokenizer stand-in, then pycocoevalcap.

PTB_DROPPED = ".,?!:;'\"`-()[]{}"  # characters of the tokens PTBTokenizer output loses
CLITICS = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"]


def tokenize_caption(caption):
    """Lower-case, split on whitespace, strip PTB_DROPPED from both ends of each piece, split a
    trailing clitic off as PTB does, drop empty pieces. (Swift: CaptionTokenizer.)"""
    tokens = []
    for piece in caption.lower().split():
        word = piece.strip(PTB_DROPPED)
        if not word:
            continue
        for clitic in CLITICS:
            if len(word) > len(clitic) and word.endswith(clitic):
                tokens += [word[:-len(clitic)], clitic]
                break
        else:
            tokens.append(word)
    return tokens


def caption_scores(items, answers):
    gts = {item["id"]: [" ".join(tokenize_caption(r)) for r in item["answer"]] for item in items}
    res = {item["id"]: [" ".join(tokenize_caption(answers[item["id"]]))] for item in items}
    with contextlib.redirect_stdout(io.StringIO()):
        bleu, _ = Bleu(4).compute_score(gts, res)
    cider, per_caption = Cider().compute_score(gts, res)
    return {"count": len(items), "bleu": [float(b) for b in bleu], "cider": float(cider),
            "per_caption": {item["id"]: float(s) for item, s in zip(items, per_caption)}}


def caption_reference(items, answers):
    expected = {"overall": caption_scores(items, answers), "groups": {}}
    for group in sorted({item["group"] for item in items}):
        expected["groups"][group] = caption_scores([i for i in items if i["group"] == group], answers)
    return expected


# ---------------------------------------------------------------------------------------------
# Grounding: our definition (Swift: Box.firstBox, Box.iou, Grounding.score).

NUMBER = r"(-?[0-9]+(?:\.[0-9]*)?|-?\.[0-9]+)"
SPACE = r"[ \t\r\n]*"
BOX = re.compile(r"\[" + (SPACE + "," + SPACE).join([SPACE + NUMBER] * 3) + SPACE + "," + SPACE + NUMBER + SPACE + r"\]")


def first_box(text):
    match = BOX.search(text)
    return [float(v) for v in match.groups()] if match else None


def iou(a, b):
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    intersection = width * height
    area_a = max(0, a[2] - a[0]) * max(0, a[3] - a[1])
    area_b = max(0, b[2] - b[0]) * max(0, b[3] - b[1])
    union = area_a + area_b - intersection
    return intersection / union if union > 0 else 0


def ground_metrics(items, answers):
    correct = unparsed = 0
    iou_sum = 0.0
    for item in items:
        box = first_box(answers[item["id"]])
        if box is None:
            unparsed += 1
            continue
        value = iou(box, first_box(item["answer"]))
        iou_sum += value
        if value >= 0.5:
            correct += 1
    return {"count": len(items), "correct": correct, "unparsed": unparsed, "accuracy": correct / len(items),
            "mean_iou": iou_sum / len(items)}


def ground_reference(items, answers):
    expected = {"overall": ground_metrics(items, answers), "groups": {}, "per_item": {}}
    for group in sorted({item["group"] for item in items}):
        expected["groups"][group] = ground_metrics([i for i in items if i["group"] == group], answers)
    for item in items:
        box = first_box(answers[item["id"]])
        expected["per_item"][item["id"]] = {"box": box, "iou": None if box is None else iou(box, first_box(item["answer"]))}
    return expected


# ---------------------------------------------------------------------------------------------
# Text cases: VQA normalisation and caption tokenisation on their own.

NORMALIZATION_INPUTS = [
    "Two", "two dogs", "The cat.", "a man's hat", "Yes!", "3.5", "1,000", "10,000 people", "dont", "Its fine",
    "hello-world", "hello - world", "(yes)", "what?", "none", "an apple", "U.S.A.", "it's", "It is 5 o'clock",
    "ten.", "Dr. Who", "\tleft\n", "e-mail", "a/b", "well... yes", "." * 40 + "a", "1.2.3", "yes.no", "end.",
    "don't", "won't", "cant", "Im", "ive", "x = y + z", "<b>bold</b>", "@home", "`tick`", "under_score",
    "semi;colon", "back\\slash", "{curly}", "[square]", "A,B", "1, 2", "What's up?", "  spaced   out  ",
    "THE END", "Ten Apples", "one.two", "Café", "naïve résumé", "1.", ".5", "a.m.", "the the the",
]


def text_cases(m4c):
    processor = m4c.EvalAIAnswerProcessor()
    contractions = sorted(processor.CONTRACTIONS)
    inputs = NORMALIZATION_INPUTS + contractions + [c.upper() for c in contractions]
    normalization = [{"input": s, "output": processor(s)} for s in inputs]
    captions = [r for refs, _, _ in CAPTION_CASES for r in refs] + [c for _, c, _ in CAPTION_CASES] + [
        "Don't stop -- it's the dog's toy...", "\"Quoted\" (parenthesised) [bracketed] {braced}",
        "It costs $5.50, isn't it?", "They'll say we'd've I'm", "'s", "U.S. flag; 3.5 inches: ok!",
        "black-and-white photo", "`` odd quotes ''", "-- -", "WHAT?!",
    ]
    tokenization = [{"input": c, "tokens": tokenize_caption(c)} for c in captions]
    return {"normalization": normalization, "tokenization": tokenization}


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llava", required=True, help="a checkout of github.com/haotian-liu/LLaVA")
    args = parser.parse_args()
    m4c = load_module(os.path.join(args.llava, "llava", "eval", "m4c_evaluator.py"), "m4c_evaluator")

    builders = [yesno_items, choice_items, short_items, caption_items, ground_items]
    parts = {builder.__name__: builder() for builder in builders}
    items = [item for part, _ in parts.values() for item in part]
    answers = {k: v for _, part_answers in parts.values() for k, v in part_answers.items()}

    yesno, _ = parts["yesno_items"]
    expected = {
        "pope": pope_reference(args.llava, yesno, answers),
        "mme": mme_calculation(yesno, answers),
        "choice": scienceqa_reference(args.llava, parts["choice_items"][0], answers),
        "short": short_reference(m4c, parts["short_items"][0], answers),
        "caption": caption_reference(parts["caption_items"][0], answers),
        "ground": ground_reference(parts["ground_items"][0], answers),
    }

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "evalset.jsonl"), "w") as f:
        f.writelines(json.dumps(item, sort_keys=True) + "\n" for item in items)
    for name, value in [("answers.json", answers), ("expected.json", expected), ("text_cases.json", text_cases(m4c))]:
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(value, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
    print(f"wrote {len(items)} items to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
