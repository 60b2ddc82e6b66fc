"""The learned scorer: features -> champion model -> scores, beside the rules."""
