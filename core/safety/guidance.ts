/**
 * Emergency guidance rendered for where the person is: a warm acknowledgement first, then the
 * numbers that work there (verified ones only, from emergency-numbers.json), then advice for
 * someone who may be confined or watched.
 */
import type { Locale } from '../../flows/types.js';
import { translate } from '../i18n/index.js';
import type { OutboundMessage } from '../messages/types.js';
import { verifiedCountryLine, verifiedNumber } from './numbers.js';
import type { Whereabouts } from './whereabouts.js';

/** The numbers for where the person is, as one short paragraph (both sets when it is not known). */
export function numbersText(locale: Locale, where: Whereabouts | undefined): string {
  const n = (id: string) => verifiedNumber(id).number;
  if (!where) return translate(locale, 'safety:unknownWhere', { police: n('police_113'), hotline: n('hotline_111'), ambulance: n('ambulance_115'), mofa: n('mofa_citizen_protection') });
  if (where.where === 'vn') return translate(locale, 'safety:inVietnam', { police: n('police_113'), hotline: n('hotline_111'), ambulance: n('ambulance_115') });
  const lines = [translate(locale, 'safety:abroad', { mofa: n('mofa_citizen_protection') })];
  const embassy = verifiedCountryLine(where.country);
  if (embassy && where.country) lines.push(translate(locale, 'safety:embassy', { country: translate(locale, `safety:countries.${where.country}`), number: embassy.number }));
  return lines.join('\n');
}

/**
 * What an emergency gets at once: the acknowledgement and the numbers in one urgent message, and
 * advice for someone held or watched when they are abroad or confined.
 */
export function emergencyGuidance(locale: Locale, where: Whereabouts | undefined, opts: { confined: boolean }): OutboundMessage[] {
  const messages: OutboundMessage[] = [
    { author: 'bot', urgent: true, text: `${translate(locale, 'safety:ack')}\n\n${numbersText(locale, where)}` },
  ];
  if (opts.confined || where?.where === 'abroad') messages.push({ author: 'bot', text: translate(locale, 'safety:confinedAdvice') });
  return messages;
}
