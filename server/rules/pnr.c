/* Recognising a Swedish personal identity number in free text (pnr.h). */
#include "pnr.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Luhn over ten digits: doubled at even positions (0-based), sum of digits divisible by 10. */
static bool luhn_ok(const char d[10])
{
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int v = d[i] - '0';
        if (i % 2 == 0) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

static bool looks_like_pnr(const char *digits, size_t n)
{
    if (n == 12) {
        int century = (digits[0] - '0') * 10 + (digits[1] - '0');
        if (century < 18 || century > 20)
            return false;
        digits += 2;
    } else if (n != 10) {
        return false;
    }
    int month = (digits[2] - '0') * 10 + (digits[3] - '0');
    int day = (digits[4] - '0') * 10 + (digits[5] - '0');
    if (month < 1 || month > 12)
        return false;
    if (day > 60) /* coordination numbers add 60 to the day */
        day -= 60;
    if (day < 1 || day > 31)
        return false;
    return luhn_ok(digits);
}

/* One digit run starting at s[i]: its digits (at most 12, one '-' or '+' allowed right before
 * the last four) into out; returns the index just past the run, *n = digit count or 0. */
static size_t read_run(const char *s, size_t len, size_t i, char out[12], size_t *n)
{
    size_t k = 0, sep_at = 0;
    bool sep = false, too_long = false;
    for (; i < len; i++) {
        if (is_digit(s[i])) {
            if (k < 12)
                out[k] = s[i];
            else
                too_long = true;
            k++;
        } else if (!sep && (s[i] == '-' || s[i] == '+') && k > 0 && i + 1 < len && is_digit(s[i + 1])) {
            sep = true;
            sep_at = k;
        } else {
            break;
        }
    }
    *n = (too_long || (sep && k - sep_at != 4)) ? 0 : k;
    return i;
}

bool pvs_pnr_found(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) {
            i++;
            continue;
        }
        char digits[12];
        size_t n = 0;
        i = read_run(s, len, i, digits, &n);
        if (looks_like_pnr(digits, n))
            return true;
    }
    return false;
}
