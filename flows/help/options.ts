/** Choices of the service directory flow. Codes match ServiceEntry.services and .groups. */
export const NEEDS = ['shelter', 'legal_aid', 'health', 'psychological', 'vocational', 'reintegration', 'hotline'] as const;
export const GROUPS = ['children', 'women', 'migrant_workers', 'ethnic_minorities', 'lgbti', 'disabilities'] as const;
