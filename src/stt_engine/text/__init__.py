"""Text after decoding: number formatting, masking of personal data, custom vocabularies."""
