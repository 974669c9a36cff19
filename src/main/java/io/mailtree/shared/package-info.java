/**
 * Vocabulary every module speaks: typed ids, the authenticated {@link io.mailtree.shared.Caller}
 * and its {@link io.mailtree.shared.Permission}s, domain problems with stable codes, paging and
 * time helpers. It is an open module with no dependencies of its own, so that feature modules can
 * share these types without depending on each other.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.mailtree.shared;
