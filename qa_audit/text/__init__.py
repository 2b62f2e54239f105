"""Stage 3, Chinese text: normalization (OpenCC, width, numerals), pinyin, tokens."""
