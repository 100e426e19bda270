/**
 * The SQL functions the first PostgreSQL migration creates, which compiled
 * filters call (see `compilePgFilter`). They are all `IMMUTABLE`, return NULL
 * for a NULL or invalid argument and never raise: a row's data can make a
 * filter value absent, never make a query fail.
 *
 * | function                          | result                                              |
 * |-----------------------------------|-----------------------------------------------------|
 * | `tr_try_jsonb(text)`              | the text as `jsonb`, NULL when it is not JSON        |
 * | `tr_jnum(jsonb)`                  | a JSON number as `float8` (NULL if not a finite number) |
 * | `tr_jbool(jsonb)`                 | a JSON boolean as `boolean`                          |
 * | `tr_jsize(jsonb)`                 | elements of an array, keys of an object, code points of a string |
 * | `tr_text_float(text)`             | a numeric string as a finite `float8`                |
 * | `tr_arith(op, float8, float8)`    | `+ - * / %` (`%` on integers, sign of the dividend); NULL when not finite |
 * | `tr_timestamp_ms(text)`           | an RFC 3339 timestamp as Unix milliseconds           |
 * | `tr_format_number(float8)`        | the number as JavaScript's `String(n)` prints it     |
 * | `tr_format_timestamp(bigint)`     | RFC 3339 in UTC, fraction without trailing zeros     |
 * | `tr_format_duration(bigint)`      | seconds with an `s` suffix, e.g. `1.5s`              |
 * | `tr_ts_part(bigint, text)`        | a calendar field (CEL numbering) of Unix milliseconds in UTC |
 *
 * Released in `0001_initial`: never change a body here (add a migration).
 *
 * @module
 */

/**
 * The `CREATE FUNCTION` statements of `0001_initial`. The bodies avoid the
 * character knex reads as a placeholder.
 */
export const PG_FILTER_FUNCTIONS: readonly string[] = [
  `CREATE FUNCTION tr_try_jsonb(t text) RETURNS jsonb
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   BEGIN
     RETURN t::jsonb;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_jnum(j jsonb) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE r float8;
   BEGIN
     IF jsonb_typeof(j) <> 'number' THEN RETURN NULL; END IF;
     r := (j #>> '{}')::float8;
     IF r IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     RETURN r;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_jbool(j jsonb) RETURNS boolean
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   BEGIN
     IF jsonb_typeof(j) <> 'boolean' THEN RETURN NULL; END IF;
     RETURN (j #>> '{}')::boolean;
   END $f$`,
  `CREATE FUNCTION tr_jsize(j jsonb) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   BEGIN
     CASE jsonb_typeof(j)
       WHEN 'array' THEN RETURN jsonb_array_length(j);
       WHEN 'object' THEN RETURN (SELECT count(*) FROM jsonb_object_keys(j));
       WHEN 'string' THEN RETURN length(j #>> '{}');
       ELSE RETURN NULL;
     END CASE;
   END $f$`,
  `CREATE FUNCTION tr_text_float(t text) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE r float8;
   BEGIN
     r := t::numeric::float8;
     IF r IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     RETURN r;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_arith(op text, a float8, b float8) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE r float8;
   BEGIN
     CASE op
       WHEN '+' THEN r := a + b;
       WHEN '-' THEN r := a - b;
       WHEN '*' THEN r := a * b;
       WHEN '/' THEN
         IF b = 0 THEN RETURN NULL; END IF;
         r := a / b;
       WHEN '%' THEN
         IF b = 0 OR a <> trunc(a) OR b <> trunc(b) THEN RETURN NULL; END IF;
         r := (a::numeric % b::numeric)::float8;
       ELSE RETURN NULL;
     END CASE;
     IF r IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     RETURN r;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_timestamp_ms(t text) RETURNS bigint
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE
     m text[];
     ts timestamp;
     off integer := 0;
     ms bigint;
   BEGIN
     m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})([.][0-9]+){0,1}([Zz]|[+-][0-9]{2}:[0-9]{2})$');
     IF m IS NULL THEN RETURN NULL; END IF;
     IF m[1]::int < 1 OR m[4]::int > 23 OR m[5]::int > 59 OR m[6]::int > 59 THEN RETURN NULL; END IF;
     ts := make_timestamp(m[1]::int, m[2]::int, m[3]::int, m[4]::int, m[5]::int, m[6]::int);
     IF m[8] NOT IN ('Z', 'z') THEN
       IF substr(m[8], 2, 2)::int > 23 OR substr(m[8], 5, 2)::int > 59 THEN RETURN NULL; END IF;
       off := (CASE WHEN left(m[8], 1) = '-' THEN -1 ELSE 1 END)
         * (substr(m[8], 2, 2)::int * 60 + substr(m[8], 5, 2)::int);
     END IF;
     ms := (extract(epoch FROM ts) * 1000)::bigint;
     IF m[7] IS NOT NULL THEN ms := ms + rpad(substr(m[7], 2, 3), 3, '0')::int; END IF;
     RETURN ms - off * 60000;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_format_number(n float8) RETURNS text
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET extra_float_digits = 1 AS $f$
   DECLARE
     s text;
     neg boolean := false;
     mant text;
     ex integer := 0;
     ip text;
     fp text;
     digits text;
     k integer;
     p integer;
     e integer;
   BEGIN
     IF n IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     IF n = 0 THEN RETURN '0'; END IF;
     s := n::text;
     IF left(s, 1) = '-' THEN neg := true; s := substr(s, 2); END IF;
     IF strpos(s, 'e') > 0 THEN
       mant := split_part(s, 'e', 1);
       ex := split_part(s, 'e', 2)::int;
     ELSE
       mant := s;
     END IF;
     ip := split_part(mant, '.', 1);
     fp := split_part(mant, '.', 2);
     digits := ip || fp;
     p := length(ip) + ex;
     WHILE left(digits, 1) = '0' LOOP
       digits := substr(digits, 2);
       p := p - 1;
     END LOOP;
     digits := rtrim(digits, '0');
     k := length(digits);
     IF k <= p AND p <= 21 THEN
       s := digits || repeat('0', p - k);
     ELSIF 0 < p AND p <= 21 THEN
       s := left(digits, p) || '.' || substr(digits, p + 1);
     ELSIF -6 < p AND p <= 0 THEN
       s := '0.' || repeat('0', -p) || digits;
     ELSE
       e := p - 1;
       s := left(digits, 1);
       IF k > 1 THEN s := s || '.' || substr(digits, 2); END IF;
       s := s || 'e' || (CASE WHEN e >= 0 THEN '+' ELSE '-' END) || abs(e)::text;
     END IF;
     IF neg THEN s := '-' || s; END IF;
     RETURN s;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_format_timestamp(ms bigint) RETURNS text
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE
     secs bigint;
     frac integer;
     s text;
   BEGIN
     IF ms < -62135596800000 OR ms > 253402300799999 THEN RETURN NULL; END IF;
     frac := ((ms % 1000) + 1000) % 1000;
     secs := (ms - frac) / 1000;
     s := to_char(timestamp '1970-01-01 00:00:00' + secs * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS');
     IF frac > 0 THEN s := s || '.' || rtrim(lpad(frac::text, 3, '0'), '0'); END IF;
     RETURN s || 'Z';
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_format_duration(ms bigint) RETURNS text
   LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
     SELECT tr_format_number(ms::float8 / 1000) || 's'
   $f$`,
  `CREATE FUNCTION tr_ts_part(ms bigint, part text) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE
     frac integer;
     t timestamp;
   BEGIN
     frac := ((ms % 1000) + 1000) % 1000;
     IF part = 'getMilliseconds' THEN RETURN frac; END IF;
     t := timestamp '1970-01-01 00:00:00' + ((ms - frac) / 1000) * interval '1 second';
     CASE part
       WHEN 'getFullYear' THEN RETURN extract(year FROM t);
       WHEN 'getMonth' THEN RETURN extract(month FROM t) - 1;
       WHEN 'getDate' THEN RETURN extract(day FROM t);
       WHEN 'getDayOfMonth' THEN RETURN extract(day FROM t) - 1;
       WHEN 'getDayOfWeek' THEN RETURN extract(dow FROM t);
       WHEN 'getDayOfYear' THEN RETURN extract(doy FROM t) - 1;
       WHEN 'getHours' THEN RETURN extract(hour FROM t);
       WHEN 'getMinutes' THEN RETURN extract(minute FROM t);
       WHEN 'getSeconds' THEN RETURN floor(extract(second FROM t));
       ELSE RETURN NULL;
     END CASE;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
];

/** The signatures of {@link PG_FILTER_FUNCTIONS}, to drop them. */
export const PG_FILTER_FUNCTION_SIGNATURES: readonly string[] = [
  "tr_try_jsonb(text)",
  "tr_jnum(jsonb)",
  "tr_jbool(jsonb)",
  "tr_jsize(jsonb)",
  "tr_text_float(text)",
  "tr_arith(text, float8, float8)",
  "tr_timestamp_ms(text)",
  "tr_format_duration(bigint)",
  "tr_format_number(float8)",
  "tr_format_timestamp(bigint)",
  "tr_ts_part(bigint, text)",
];
