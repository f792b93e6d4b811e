// Identity documents and account identifiers: Brazilian check digits and the canonical form of identifiers.
export { canonicalIdentifier, identifierProblem } from './identifiers';
export { IsIdentifier } from './is-identifier';
export { isValidCnpj, isValidCpf } from './brazilian-documents';
