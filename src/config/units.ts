/** Time units for defaults and bounds; settings carry their unit in their name (_MS). */
export const SECOND_MS = 1000
export const MINUTE_MS = 60 * SECOND_MS
export const HOUR_MS = 60 * MINUTE_MS
