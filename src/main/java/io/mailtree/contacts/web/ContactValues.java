package io.mailtree.contacts.web;

import java.math.BigDecimal;
import org.springframework.stereotype.Component;

/** How pages show a custom property's value ({@code ${@contactValues.text(v)}}): numbers in plain notation. */
@Component("contactValues")
class ContactValues {

    public String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Number number) {
            try {
                return new BigDecimal(number.toString()).stripTrailingZeros().toPlainString();
            } catch (NumberFormatException notFinite) {
                return number.toString();
            }
        }
        return value.toString();
    }
}
