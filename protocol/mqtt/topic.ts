import { WILDCARD_MULTI, WILDCARD_SINGLE } from './format';

const LEVEL_SEPARATOR = '/';

/**
 * Why `name` cannot be a topic name, or undefined when it can: at least one character
 * (MQTT 3.1.1 §4.7.3) and no wildcard (§3.3.2.1 [MQTT-3.3.2-2]).
 */
export function topicNameError(name: string): string | undefined {
  if (name.length === 0) return 'name is empty (MQTT 3.1.1 §4.7.3)';
  if (name.includes(WILDCARD_MULTI) || name.includes(WILDCARD_SINGLE)) return `name '${name}' contains a wildcard (MQTT 3.1.1 §3.3.2.1)`;
  return undefined;
}

/**
 * Why `filter` cannot be a topic filter, or undefined when it can: at least one character
 * (§4.7.3), `#` only as a whole last level (§4.7.1.2), `+` only as a whole level (§4.7.1.3).
 */
export function topicFilterError(filter: string): string | undefined {
  if (filter.length === 0) return 'is empty (MQTT 3.1.1 §4.7.3)';
  const levels = filter.split(LEVEL_SEPARATOR);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes(WILDCARD_MULTI) && (level !== WILDCARD_MULTI || i !== levels.length - 1)) {
      return `'${filter}' uses '#' other than as the whole last level (MQTT 3.1.1 §4.7.1.2)`;
    }
    if (level.includes(WILDCARD_SINGLE) && level !== WILDCARD_SINGLE) return `'${filter}' uses '+' other than as a whole level (MQTT 3.1.1 §4.7.1.3)`;
  }
  return undefined;
}
