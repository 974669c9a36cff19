/**
 * The account API ({@code /api/v1/account}, {@code /api/v1/subaccounts}). Its JSON views are a
 * named interface so that the sub-account creation endpoint (onboarding) answers in the same shape.
 */
@org.springframework.modulith.NamedInterface("api")
package io.mailtree.accounts.api;
