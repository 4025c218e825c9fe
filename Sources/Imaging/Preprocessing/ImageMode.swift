/// How an image of any shape becomes the square a vision tower takes (the converter's
/// `--image-mode`).
public enum ImageMode: String, Sendable, CaseIterable, Codable {
    /// LLaVA-1.5's choice: pad to a square with the tower's mean colour (`expand2square`,
    /// keeping the whole image), then the tower's CLIP processing.
    case pad
    /// CLIPImageProcessor: resize the shortest edge, centre-crop (loses the borders of
    /// elongated images).
    case crop
    /// SiglipImageProcessor: stretch to a square, ignoring the aspect ratio.
    case resize
}
