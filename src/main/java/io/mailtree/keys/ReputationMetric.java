package io.mailtree.keys;

/** A rate a key is judged on (D-19). */
public enum ReputationMetric {
    /** Hard bounces over recipients sent. */
    HARD_BOUNCE,
    /** Spam complaints (feedback-loop reports) over recipients delivered. */
    COMPLAINT,
    /** Policy refusals (5.7.x) over recipients sent. */
    BLOCK
}
