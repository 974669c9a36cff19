package io.mailtree.access;

import java.io.Serializable;
import java.util.UUID;

/** A platform operator's web session. */
public record SignedInOperator(UUID operatorId, String email) implements Serializable {
}
