/** The server's minimum password length (users and self-service change alike), checked before sending. */
export const MIN_PASSWORD_LENGTH = 12;
