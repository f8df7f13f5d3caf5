"""The themes stage: comment coding (analysis plan section 4), shares and agreement."""
