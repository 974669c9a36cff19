package io.mailtree.access;

/** The owner of an account holds every permission; collaborators hold the ones granted. */
public enum UserRole {
    OWNER, COLLABORATOR
}
