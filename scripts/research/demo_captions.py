"""The demo world's caption grammar, shared by the research scripts that read captions
("a photo of a red circle in the top left, a blue square in the bottom right."): one
pattern, so a change to `vlmtune data synth-shapes`'s wording is mended in one place."""
import re

QUADRANTS = ["top left", "top right", "bottom left", "bottom right"]
OBJECT = re.compile(r"(red|green|blue|yellow) (circle|square|triangle) in the (top left|top right|bottom left|bottom right)")


def objects_in(caption):
    """The (colour, shape, quadrant) of every object a caption names, in its order."""
    return OBJECT.findall(caption)
