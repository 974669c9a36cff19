package io.mailtree.contacts.api;

import io.mailtree.contacts.ContactProperties;
import io.mailtree.contacts.ContactProperty;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/contact-properties}: the custom properties of the account's contacts. */
@RestController
@RequestMapping("/api/v1/contact-properties")
@RequiresPermission(Permission.CONTACTS)
@Tag(name = "Contacts")
class ContactPropertiesApi {

    private final ContactProperties properties;

    ContactPropertiesApi(ContactProperties properties) {
        this.properties = properties;
    }

    @GetMapping
    Map<String, List<ContactProperty>> list(Caller caller) {
        return Map.of("items", properties.of(caller.accountId()));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ContactProperty define(Caller caller, @RequestBody PropertyRequest request) {
        return properties.define(caller.accountId(), request.key(), request.label(), request.type());
    }

    @DeleteMapping("/{key}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String key) {
        properties.delete(caller.accountId(), key);
    }

    @Schema(name = "PropertyRequest")
    record PropertyRequest(@Schema(description = "lower_snake_case, 1 to 40 characters") String key, String label,
            @Schema(description = "TEXT (default), NUMBER, DATE or BOOLEAN") String type) {
    }
}
