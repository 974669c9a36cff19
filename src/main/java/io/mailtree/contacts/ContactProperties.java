package io.mailtree.contacts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.Times;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The custom properties an account defines, and the typing of contact values against them. Values
 * are stored as one canonical JSON object per contact (sorted keys, typed values), which keeps
 * imports to a single row write per contact.
 */
@Service
public class ContactProperties {

    public static final int MAX_PROPERTIES = 100;
    static final int MAX_TEXT = 1000;
    private static final Pattern KEY = Pattern.compile("^[a-z][a-z0-9_]{0,39}$");
    private static final Set<String> RESERVED = Set.of("email", "name", "status", "id");
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final Clock clock;

    ContactProperties(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public List<ContactProperty> of(AccountId account) {
        return jdbc.sql("select prop_key, label, prop_type from contact_property where account_id = ? order by prop_key")
                .param(account.value())
                .query((rs, n) -> new ContactProperty(rs.getString(1), rs.getString(2), PropertyType.valueOf(rs.getString(3))))
                .list();
    }

    public Map<String, ContactProperty> byKey(AccountId account) {
        Map<String, ContactProperty> map = new LinkedHashMap<>();
        of(account).forEach(p -> map.put(p.key(), p));
        return map;
    }

    @Transactional
    public ContactProperty define(AccountId account, String key, String label, String type) {
        String validKey = validKey(key);
        PropertyType validType;
        try {
            validType = PropertyType.valueOf(type == null ? "TEXT" : type.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw DomainProblem.invalid("invalid_property_type", "type must be TEXT, NUMBER, DATE or BOOLEAN")
                    .with("field", "type");
        }
        String validLabel = label == null || label.isBlank() ? validKey : io.mailtree.shared.Texts.name(label, 100);
        if (of(account).size() >= MAX_PROPERTIES) {
            throw DomainProblem.conflict("too_many_properties", "an account can define at most " + MAX_PROPERTIES
                    + " properties", MAX_PROPERTIES);
        }
        try {
            jdbc.sql("insert into contact_property (account_id, prop_key, label, prop_type, created_at) values (?, ?, ?, ?, ?)")
                    .params(account.value(), validKey, validLabel, validType.name(), Times.sql(clock.instant())).update();
        } catch (DuplicateKeyException exists) {
            throw DomainProblem.conflict("property_exists", "the property " + validKey + " already exists", validKey);
        }
        return new ContactProperty(validKey, validLabel, validType);
    }

    /** Defines a property an import met as a new column, unless it exists by now. */
    void defineIfAbsent(AccountId account, ContactProperty property) {
        jdbc.sql("""
                insert into contact_property (account_id, prop_key, label, prop_type, created_at)
                select ?, ?, ?, ?, ? where not exists (
                    select 1 from contact_property where account_id = ? and prop_key = ?)""")
                .params(account.value(), property.key(), property.label(), property.type().name(),
                        Times.sql(clock.instant()), account.value(), property.key())
                .update();
    }

    @Transactional
    public void delete(AccountId account, String key) {
        int deleted = jdbc.sql("delete from contact_property where account_id = ? and prop_key = ?")
                .params(account.value(), key).update();
        if (deleted == 0) {
            throw DomainProblem.notFound("property_not_found", "property");
        }
    }

    static String validKey(String key) {
        String value = key == null ? "" : key.strip();
        if (!KEY.matcher(value).matches() || RESERVED.contains(value)) {
            throw DomainProblem.invalid("invalid_property_key",
                    "a property key is 1 to 40 lower-case letters, digits or underscores, starting with a letter, "
                            + "and not email, name, status or id").with("field", "key");
        }
        return value;
    }

    /**
     * Types raw values against the definitions: unknown keys, and values that are not of the
     * property's type, are refused with the key named. Empty values remove the property.
     */
    static Map<String, Object> typed(Map<String, ?> raw, Map<String, ContactProperty> definitions) {
        FieldChecks checks = new FieldChecks();
        Map<String, Object> out = typed(raw, definitions, checks);
        checks.throwIfAny();
        return out;
    }

    /**
     * The values typed after their definitions; each refused value is filed in {@code checks} under
     * {@code properties.<key>}, so that every wrong property is reported with the other fields.
     */
    static Map<String, Object> typed(Map<String, ?> raw, Map<String, ContactProperty> definitions, FieldChecks checks) {
        Map<String, Object> out = new TreeMap<>();
        if (raw == null) {
            return out;
        }
        for (Map.Entry<String, ?> entry : raw.entrySet()) {
            String field = FIELD_PREFIX + entry.getKey();
            ContactProperty definition = definitions.get(entry.getKey());
            if (definition == null) {
                checks.add(field, DomainProblem.invalid("unknown_property", "unknown property: " + entry.getKey(),
                        entry.getKey()).with("property", entry.getKey()));
                continue;
            }
            Object value = checks.check(field, () -> typedValue(definition, entry.getValue()));
            if (value != null) {
                out.put(definition.key(), value);
            }
        }
        return out;
    }

    /** A property's field name in a refusal: {@code properties.<key>}, as in the API's request body. */
    public static final String FIELD_PREFIX = "properties.";

    static Object typedValue(ContactProperty definition, Object raw) {
        if (raw == null || raw instanceof String text && text.isBlank()) {
            return null;
        }
        String text = raw.toString().strip();
        try {
            return switch (definition.type()) {
                case TEXT -> {
                    if (text.length() > MAX_TEXT) {
                        throw badValue(definition, "at most " + MAX_TEXT + " characters");
                    }
                    yield text;
                }
                case NUMBER -> {
                    BigDecimal number = raw instanceof Number n ? new BigDecimal(n.toString()) : new BigDecimal(text);
                    if (number.abs().compareTo(new BigDecimal("1e15")) > 0 || number.scale() > 6) {
                        throw badValue(definition, "a number up to 10^15 with at most 6 decimals");
                    }
                    yield number.stripTrailingZeros();
                }
                case DATE -> LocalDate.parse(text).toString();
                case BOOLEAN -> switch (text.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "1", "y" -> Boolean.TRUE;
                    case "false", "no", "0", "n" -> Boolean.FALSE;
                    default -> throw badValue(definition, "true or false");
                };
            };
        } catch (NumberFormatException | DateTimeParseException wrongType) {
            throw badValue(definition, definition.type() == PropertyType.DATE ? "a date as YYYY-MM-DD" : "a number");
        }
    }

    private static DomainProblem badValue(ContactProperty definition, String expected) {
        return DomainProblem.invalid("invalid_property_value", "the property " + definition.key() + " must be " + expected,
                definition.key(), expected).with("property", definition.key());
    }

    static String toJson(Map<String, Object> typed) {
        return JSON.writeValueAsString(new TreeMap<>(typed));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> fromJson(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        return JSON.readValue(json, Map.class);
    }
}
